// Package guard is the one registry of guard rules (the README's guard
// table): their ids, severities, when they are judged and which phase they
// protect (registry.go). The ids are a contract with users (they appear in
// diagnostics, plan documents and change records), so they are spelled here
// once and every producer uses these constants.
package guard

import (
	"slices"

	"github.com/runbook-dev/runbook/internal/rollout"
)

// Static (plan-time) rule ids.
const (
	PathUnsupported  = "path.unsupported"
	PathDowngrade    = "path.downgrade"
	PathMultiHop     = "path.multi_hop"
	SourceNotLatest  = "source.not_latest"
	SSPRequired      = "ssp.required"
	PlatformAVP      = "platform.avp"
	PlatformAWS      = "platform.aws"
	ClusterReleases  = "cluster.releases"
	ClusterUDSSplit  = "cluster.uds_split"
	ClusterSecondary = "cluster.secondary"
	ClusterSize      = "cluster.size"
	OrderSMGRFirst   = "order.smgr_first"
	BSMAboveCore     = "bsm.above_core"
	WindowTooShort   = "window.too_short"
	ArtifactMissing  = "artifact.missing"
	// PathUnknownRelease: a target or declared release the catalog does not
	// know (newer than its data): a newer catalog (--catalog) fixes it.
	PathUnknownRelease = "path.unknown_release"
	// ClusterNoSecondary: a core SM the plan drains has no secondary, so its
	// phones lose service while it is drained.
	ClusterNoSecondary = "cluster.no_secondary"
	// PolicyParallel: policy.parallel > 1 takes several core SMs out of
	// service at once, against the vendor's "one at a time".
	PolicyParallel = "policy.parallel"
	// CallsPolicy: max_active_calls > 0 lets calls stay on a node while it
	// changes; they cannot be changed (transfer, hold) and may drop.
	CallsPolicy = "calls.policy"
	// BSMCore: a BSM's core names an unknown node, a node that is not a
	// core SM, or more than two.
	BSMCore = "bsm.core"
	// BSMLevel: a BSM ends below its core SMs' release (pinned).
	BSMLevel = "bsm.level"
	// SMGRGeo: a geo-redundant System Manager pair that is not one primary
	// and one secondary, or whose members' targets differ.
	SMGRGeo = "smgr.geo"
	// PlanCycle is not a vendor rule: user step dependencies formed a cycle.
	PlanCycle = "plan.cycle"
)

// Runtime (apply-time) rule ids.
const (
	ArtifactChecksum = "artifact.checksum"
	FactsDrift       = "facts.drift"
	CallsActive      = "calls.active"
	PeerUnavailable  = "peer.unavailable"
	WindowClosed     = "window.closed"
	DiskSpace        = "disk.space"
	TimeSkew         = "time.skew"
	UDSBackup        = "uds.backup"
	FirewallPorts    = "firewall.ports"
	BackupVerify     = "backup.verify"
	VerifyRelease    = "verify.release"
	VerifyServices   = "verify.services"
	VerifyData       = "verify.data"
)

// Rule ids beyond the vendor's rules (the README's guard table lists them).
const (
	// RollbackMedia (plan): on_failure = "rollback" but a node's rollback
	// needs the medium of its source release and no artifact provides it.
	RollbackMedia = "rollback.media"
	// ArtifactRelease (apply): the medium on the node is not the one the
	// hop installs (another release, product, kind or SSP level).
	ArtifactRelease = "artifact.release"
	// OutOfService (apply): the out-of-service rule re-checked by the walker
	// before it lets a node deny new service, across the whole manifest:
	// parallel core SMs, branch_parallel BSMs, never a BSM with one of its
	// core SMs nor a node with its secondary.
	OutOfService = "cluster.out_of_service"
	// NodeServices (apply): a service of the node is down at its precheck,
	// before the hop changes anything.
	NodeServices = "node.services"
)

// Severity is how a verdict weighs: an error refuses the plan or stops apply,
// a warning is reported and the plan goes on.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Phase names that runtime guards protect: the phase table's own
// (internal/rollout), as strings.
const (
	Precheck = string(rollout.PhasePrecheck)
	Backup   = string(rollout.PhaseBackup)
	Upload   = string(rollout.PhaseUpload)
	Drain    = string(rollout.PhaseDrain)
	SSP      = string(rollout.PhaseSSP)
	Upgrade  = string(rollout.PhaseUpgrade)
	Migrate  = string(rollout.PhaseMigrate)
	Restore  = string(rollout.PhaseRestore)
	Verify   = string(rollout.PhaseVerify)
	Undrain  = string(rollout.PhaseUndrain)
)

// At says when a runtime guard is judged, relative to the phase it protects.
type At uint8

// Hook points of the executor.
const (
	// Before: right before the step's module runs, on what the node
	// reports now (and, for a peer, what its secondary reports).
	Before At = iota
	// After: on what the module observed (its outcome, the facts read
	// after it), before the step counts as done.
	After
)

// Rule is one row of the guard table.
type Rule struct {
	ID string
	// Severity is the plan-time weight of a static rule. A runtime guard
	// that refuses always stops apply (a dry-run reports it).
	Severity Severity
	// Static rules are judged by plan (diagnostics of validate and plan),
	// Runtime rules by apply; a rule may be both.
	Static, Runtime bool
	// Before and After name the phases whose planned steps the executor
	// checks the guard for, in table order, from engine/exec's checks
	// (registered there by id). A user step gets none of them.
	Before, After []string
	// AtStart rules are judged once when the run starts, before any node is
	// changed (the window, drift, local media, the --cluster scope).
	AtStart bool
	// Walker rules are judged by the walker when it schedules a step (the
	// out-of-service rule), not around the step itself.
	Walker bool
	// NeedsFacts: the inputs are what only the node can tell (calls, disk,
	// clock, services …). Without a node to read (offline dry-run) such a
	// guard cannot say no and reports "unknown".
	NeedsFacts bool
}

var changing = []string{Drain, SSP, Upgrade, Migrate, Restore}

// Rules is the guard table, the README's guard table in code. Runtime rows
// are in the order the executor checks them within one phase: the window
// first, then the peer, then the medium on the node (window and peer before
// the drain's medium read; the medium before Deny New Service).
var Rules = []Rule{
	{ID: PathUnsupported, Severity: Error, Static: true},
	{ID: PathUnknownRelease, Severity: Error, Static: true},
	{ID: PathDowngrade, Severity: Error, Static: true},
	{ID: PathMultiHop, Severity: Warning, Static: true},
	{ID: SourceNotLatest, Severity: Warning, Static: true},
	{ID: SSPRequired, Severity: Warning, Static: true},
	{ID: PlatformAVP, Severity: Error, Static: true},
	{ID: PlatformAWS, Severity: Error, Static: true},
	{ID: ClusterReleases, Severity: Error, Static: true},
	{ID: ClusterUDSSplit, Severity: Warning, Static: true},
	{ID: ClusterSecondary, Severity: Error, Static: true},
	{ID: ClusterSize, Severity: Error, Static: true},
	{ID: ClusterNoSecondary, Severity: Warning, Static: true},
	{ID: PolicyParallel, Severity: Warning, Static: true},
	{ID: CallsPolicy, Severity: Warning, Static: true},
	{ID: BSMAboveCore, Severity: Error, Static: true},
	{ID: BSMCore, Severity: Error, Static: true},
	{ID: BSMLevel, Severity: Warning, Static: true},
	{ID: SMGRGeo, Severity: Error, Static: true},
	{ID: WindowTooShort, Severity: Error, Static: true},
	{ID: RollbackMedia, Severity: Error, Static: true},
	{ID: PlanCycle, Severity: Error, Static: true},

	{ID: FactsDrift, Severity: Error, Runtime: true, AtStart: true},
	{ID: ArtifactMissing, Severity: Warning, Static: true, Runtime: true, AtStart: true},
	{ID: OutOfService, Severity: Error, Runtime: true, Walker: true},

	{ID: WindowClosed, Severity: Error, Runtime: true, AtStart: true, Before: changing},
	{ID: TimeSkew, Severity: Error, Runtime: true, Before: []string{Precheck}, NeedsFacts: true},
	{ID: FirewallPorts, Severity: Error, Runtime: true, Before: []string{Precheck}, NeedsFacts: true},
	{ID: NodeServices, Severity: Error, Runtime: true, Before: []string{Precheck}, NeedsFacts: true},
	{ID: UDSBackup, Severity: Error, Runtime: true, Before: []string{Backup}, NeedsFacts: true},
	{ID: DiskSpace, Severity: Error, Runtime: true, Before: []string{Backup, Upload}, NeedsFacts: true},
	{ID: PeerUnavailable, Severity: Error, Runtime: true, Before: []string{Drain}, NeedsFacts: true},
	{ID: OrderSMGRFirst, Severity: Error, Static: true, Runtime: true, AtStart: true, Before: []string{Upgrade, Migrate}},
	{ID: ArtifactChecksum, Severity: Error, Runtime: true, AtStart: true, Before: []string{Drain, SSP, Upgrade}, After: []string{Upload}},
	{ID: ArtifactRelease, Severity: Error, Runtime: true, Before: []string{Drain, SSP, Upgrade}, After: []string{Upload}},
	{ID: CallsActive, Severity: Error, Runtime: true, After: []string{Drain}, NeedsFacts: true},
	{ID: BackupVerify, Severity: Error, Runtime: true, After: []string{Backup, Restore, Migrate}, NeedsFacts: true},
	{ID: VerifyRelease, Severity: Error, Runtime: true, Before: []string{Verify}, After: []string{Upgrade}},
	{ID: VerifyServices, Severity: Error, Runtime: true, Before: []string{Verify}, After: []string{Verify}, NeedsFacts: true},
	{ID: VerifyData, Severity: Error, Runtime: true, Before: []string{Verify}, NeedsFacts: true},
}

var byID = func() map[string]Rule {
	m := make(map[string]Rule, len(Rules))
	for _, r := range Rules {
		m[r.ID] = r
	}
	return m
}()

// Lookup returns the rule with id; ok is false for an id not in the table
// (a manifest's own guard block, say).
func Lookup(id string) (r Rule, ok bool) {
	r, ok = byID[id]
	return r, ok
}

// For returns the runtime rules judged at at for a planned step of phase,
// in table order.
func For(phase string, at At) []Rule {
	var out []Rule
	for _, r := range Rules {
		list := r.Before
		if at == After {
			list = r.After
		}
		if slices.Contains(list, phase) {
			out = append(out, r)
		}
	}
	return out
}

// Static maps every plan-time rule to its default severity. path.multi_hop
// becomes an error when policy.multi_hop is false; the planner decides that.
var Static = func() map[string]Severity {
	m := map[string]Severity{}
	for _, r := range Rules {
		if r.Static {
			m[r.ID] = r.Severity
		}
	}
	return m
}()
