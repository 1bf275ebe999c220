package exec

import (
	"github.com/hashicorp/go-multierror"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/facts"
)

// Step statuses of a Result, shared with the record (record.StepOK …).
const (
	StatusOK         = record.StepOK
	StatusFailed     = record.StepFailed
	StatusSkipped    = record.StepSkipped
	StatusNotRun     = record.StepNotRun
	StatusRolledBack = record.StepRolledBack
)

// Result is what a run did: per step, per node, and the failures.
type Result struct {
	// Steps maps every step in scope to its final status.
	Steps map[string]string
	// Succeeded lists nodes whose every step ended ok; Failed the nodes with a
	// failed step or guard; RolledBack the failed nodes the rollback restored
	// and verified; Incomplete the others (skipped, halted, interrupted).
	Succeeded, Failed, RolledBack, Incomplete []string
	// Unknown lists the failed nodes whose change was stopped mid-way after
	// an interrupt: they are UnknownState and must be checked by a person.
	Unknown []string
	// Guards are the runtime guard verdicts, in evaluation order.
	Guards []record.GuardVerdict
	// Rollback lists what the failure policy did.
	Rollback []record.RollbackAction
	// FactsBefore and FactsAfter are each node's facts at the start and the end.
	FactsBefore, FactsAfter map[string]*facts.Facts
	Interrupted             bool
	// Errs holds one *NodeError per root cause; nil when the run succeeded.
	Errs *multierror.Error
}

// OK reports whether the run succeeded.
func (r *Result) OK() bool {
	return r != nil && !r.Interrupted && r.Errs.ErrorOrNil() == nil
}
