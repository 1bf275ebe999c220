package exec

import (
	"context"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
)

// The modules that deny and accept new service, planned or placed by a step
// block.
const (
	drainModule   = "sm.drain"
	undrainModule = "sm.undrain"
)

// deniesService says whether s takes its node out of service: the planned
// drain, or a user step running the drain module. Both are held to the
// out-of-service rule by the walker.
func deniesService(s *plan.Step) bool { return s.Module == drainModule }

// effect is what s does to the node's facts, for predictions: its phase's
// (the phase table's Effect) for a planned step; for a user step, only what
// its module does to the service state (its name says nothing).
func effect(s *plan.Step) rollout.Effect {
	if !s.User {
		return s.Phase.Spec().Effect
	}
	switch s.Module {
	case drainModule:
		return plan.PhaseDrain.Spec().Effect
	case undrainModule:
		return plan.PhaseUndrain.Spec().Effect
	}
	return rollout.EffectNone
}

// userStep runs a step block's module. It is never a planned phase: none of
// the phase's guards or bookkeeping apply. A user step that denies new
// service leaves the node drained for the run, which then owns the undrain:
// on failure and interrupt like any drained node, and when the node's walk
// ends (endUserDrain) when nothing of the plan accepted service again.
func (r *run) userStep(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	if deniesService(s) {
		r.mu.Lock()
		ns.drained = true
		if ns.userDrain == nil {
			ns.userDrain = s
		}
		r.mu.Unlock()
	}
	out, err := r.runModule(ctx, ns, s, r.task(ns, s))
	if err == nil && s.Module == undrainModule {
		r.markUndrained(ns)
	}
	return out, err
}

// heldUserDrain notes, on resume, a user drain the resumed run completed on
// a node that is still denying: this run owns its undrain.
func (r *run) heldUserDrain(ns *nodeState, s *plan.Step) {
	if !s.User || !deniesService(s) {
		return
	}
	r.mu.Lock()
	if ns.drained && ns.userDrain == nil {
		ns.userDrain = s
	}
	r.mu.Unlock()
}

// endUserDrain puts a node a user step drained back in service (when
// healthy, recorded as an undrain action) once its walk ended. On a
// cancelled run the interrupt cleanup does it.
func (r *run) endUserDrain(ctx context.Context, ns *nodeState) {
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	s, drained, failed := ns.userDrain, ns.drained, ns.failed
	r.mu.Unlock()
	if s == nil || !drained || failed {
		return // a failed node's recovery already undrained it or said why not
	}
	r.undrainIfHealthy(ctx, ns, s)
}

// endUserDrains ends, after the walk, the user drains of nodes whose walk
// stopped before their last step (a halted cluster).
func (r *run) endUserDrains(ctx context.Context) {
	for _, pn := range r.p.Nodes {
		if ns := r.nodes[pn.Name]; ns != nil {
			r.endUserDrain(ctx, ns)
		}
	}
}
