package exec

import (
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules/sm"
)

// predict applies a step's intended effect to the node's facts under
// dry-run, so the guards of later steps are evaluated against the state the
// node would be in (a dry-run judges against the predicted state).
func (r *run) predict(ns *nodeState, s *plan.Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &ns.facts
	switch effect(s) {
	case plan.PhaseDrain:
		f.ServiceState, f.ActiveCalls = sm.StateDenying, 0
	case plan.PhaseSSP:
		f.SSP = argInt(s.Args, "ssp", f.SSP)
	case plan.PhaseUpgrade:
		f.Release = s.Hop.To
	case plan.PhaseRestore, plan.PhaseMigrate:
		f.Release = s.Hop.To
		if b, ok := ns.before[s.Hop.Index]; ok {
			f.Users, f.DataDigest = b.Users, b.DataDigest
		}
	case plan.PhaseUndrain:
		f.ServiceState = sm.StateAccepting
	}
}
