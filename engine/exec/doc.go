// Package exec walks a compiled plan against real nodes: it runs each step's
// module over the node's one connection when the step's dependencies are
// done, keeps clusters apart and at most one node of a cluster out of service,
// evaluates the runtime guards right before the step they protect, applies the
// failure policy (halt or rollback, and always undrain a healthy node), rides
// through node reboots, and appends every event to the journal so that an
// interrupted or killed run can be resumed.
//
// The walker follows Terraform's dag walk: a failed step skips everything
// below it and only the root cause is reported; the concurrency limits live
// in the walker, above the graph. Errors are one *NodeError per root cause,
// aggregated with go-multierror, never joined into strings.
//
// Dry-run is a property of the connection (modules/dryrun), not a branch in
// the modules. What the executor does differently under dry-run is only what
// an unchanged node forces on it: guards are evaluated against the state
// predicted after earlier steps, a drain does not wait for calls that cannot
// end, the node's own verify (reading the unchanged node) is informative, and
// a module that needed an absent node (offline) has its commands shown.
//
// Runtime guards run from engine/guard's table: before and after each
// planned phase, the executor runs the guards the table lists for it, in
// table order (runguards.go holds their checks by id). Modules judge
// nothing: what they saw unmet (*sm.Unmet) is an observation the guard of
// its kind judges; one no guard judges fails the step.
//
// Files, one concern each: executor.go (Run, result), walk.go (scheduling),
// oos.go (out-of-service rule), step.go and phases.go, drain.go, verify.go
// (the phases and their guards' checks), runguards.go (running the guard
// table), guards.go, userguard.go and artifacts.go (runtime guards),
// policy.go (halt, rollback, undrain), reconnect.go (reboots), resume.go,
// predict.go (dry-run), conns.go (one connection per node), events.go.
package exec
