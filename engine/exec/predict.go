package exec

import (
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm"
)

// predict applies a step's intended effect (the phase table's Effect) to
// the node's facts under dry-run, so the guards of later steps are evaluated
// against the state the node would be in (a dry-run judges against the
// predicted state).
func (r *run) predict(ns *nodeState, s *plan.Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &ns.facts
	switch effect(s) {
	case rollout.EffectDeny:
		f.ServiceState, f.ActiveCalls = sm.StateDenying, 0
	case rollout.EffectSSP:
		f.SSP = argInt(s.Args, "ssp", f.SSP)
	case rollout.EffectRelease:
		f.Release = s.Hop.To
	case rollout.EffectData:
		f.Release = s.Hop.To
		if b, ok := ns.before[s.Hop.Index]; ok {
			f.Users, f.DataDigest = b.Users, b.DataDigest
		}
	case rollout.EffectAccept:
		f.ServiceState = sm.StateAccepting
	case rollout.EffectNone:
	}
}
