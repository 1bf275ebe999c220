// Package sm holds the Session Manager actions (facts, backup, ssp, upgrade,
// restore, migrate, drain, undrain, verify) as modules.Module values. What
// command each action runs and how its output is read is the command profile,
// data in schema/, never a string in Go code.
package sm

import "github.com/runbook-dev/runbook/modules/facts"

// Facts is what the sm modules read from a node (GatherFacts): the neutral
// facts.Facts, which the engine, the record and the progress view share.
type Facts = facts.Facts

// Service states (facts.StateAccepting, facts.StateDenying).
const (
	StateAccepting = facts.StateAccepting
	StateDenying   = facts.StateDenying
)
