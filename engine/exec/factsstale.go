package exec

import (
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules/registry"
)

// changesFacts reports whether a step may change what a node's facts read:
// every planned phase does; a user step does unless its module keeps facts
// (wait, pause, http_check) or it says changes_facts = false (shell).
func changesFacts(s *plan.Step) bool {
	if !s.User {
		return true
	}
	spec, ok := registry.Spec(s.Module)
	return !ok || spec.ChangesFacts(s.Args)
}

// markFactsStale notes that the node's last facts may no longer hold.
func (r *run) markFactsStale(ns *nodeState) {
	r.mu.Lock()
	ns.factsStale = true
	r.mu.Unlock()
}
