// Package exec walks a compiled plan against real nodes: it runs each step's
// module over the node's one connection when the step's dependencies are
// done, keeps clusters apart and at most one node of a cluster out of service,
// evaluates the runtime guards right before the step they protect, applies the
// failure policy (halt or rollback, and always undrain a healthy node), rides
// through node reboots, and appends every event to the journal so that an
// interrupted or killed run can be resumed.
//
// The walker follows Terraform's dag walk: a failed step skips everything
// below it and only the root cause is reported. Dry-run is not a mode of this
// package's step code but a property of the connection (modules/dryrun); the
// only thing the executor does differently under dry-run is to evaluate its
// guards against the state predicted after earlier steps instead of the state
// read from a node that was, by design, not changed.
package exec
