// Package plan compiles an evaluated manifest and the release catalog into a
// Plan: every node's path, the steps of every hop, the user steps, the
// dependencies between them, one valid execution order, its estimated
// duration and the static guard verdicts.
//
// Compile is a sequence of named transforms, one concern per file (t_*.go),
// in the manner of Terraform's graph builder: nodes → paths → units (hops and
// SSP passes) → order search → hop steps → user steps → cross-node edges →
// schedule → static guards. The order search comes before the steps are made
// because it may choose an alternative supported path for a node when that is
// the only way to keep at most two release lines among the core SMs.
//
// Configuration problems are hcl.Diagnostics with the node's source range;
// the plan document carries the same verdicts as Diagnostic values with
// their rule id (ToDiagnostics).
//
// Choices where the planning rules (README "Planning") leave room, and why:
//   - System Manager carries no calls: its hops have no drain/undrain and are
//     never out of service; its cluster is "smgr".
//   - With method = "data_migration" a cross-line hop's change is one migrate
//     step (the utility installs and moves the data); with backup_restore it
//     is upgrade then restore. A patch hop is always upgrade.
//   - Rule 1 is kept as a state: when SMGR crosses into the catalog's
//     smgr_ssp_target line, every SM/BSM whose starting line is
//     smgr_ssp_from or later carries the latest SSP of the release it is on
//     then. A node that has not declared its SSP (ssp unset) is assumed to
//     lack it: the pass is inserted and ssp.required says so.
//   - The line rule, the out-of-service limits and the UDS split are
//     enterprise-wide: the vendor's "Session Manager cluster" is every core SM
//     under one System Manager, so one order search covers every cluster.
//     Only core SMs count for the line rule (BSMs are not in the data
//     replication ring).
//   - Core before BSM: a BSM crosses to another line only once every core SM
//     it registers with (core, else its cluster's) reached the BSM's target,
//     and patches only on their line; bsm.above_core checks the final
//     targets release by release. SSP passes are exempt: rule 1 needs them
//     before System Manager, which the core SMs' hops wait for.
//   - A secondary may be any other core SM, in any cluster. With parallel = 1
//     rule 4 follows from rule 3; with more, a drained window never holds a
//     node and its secondary.
//   - The core SMs that already run more than two lines are refused
//     (cluster.releases): no order can repair the starting state.
//   - Ansible-style user steps (neither before nor after) run at the head of
//     each matched node's chain, one node of a cluster at a time.
package plan
