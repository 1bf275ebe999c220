package exec

import (
	"context"
	"fmt"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
)

// settle establishes the outcome of a step whose connection dropped, on the
// fresh connection. A change that is not safe to re-run (the phase table's
// Rerun: ssp, upgrade, restore, migrate) is never run again: its outcome is
// read from facts — an SSH drop mid-patch can leave a node half-changed, and
// a second installer run on it is how nodes get lost. Steps that change
// nothing or are idempotent (precheck, backup, upload, drain, undrain,
// verify) run once more. User steps are not re-run.
func (r *run) settle(ctx context.Context, ns *nodeState, s *plan.Step, t modules.Task, mod modules.Module, lost error) (modules.Outcome, error) {
	spec := s.Phase.Spec()
	switch {
	case s.User || !s.Phase.Known():
	case !spec.Rerun:
		if c, ok := mod.(confirmer); ok && spec.Reboots {
			conn, err := r.pool.get(ctx, ns)
			if err != nil {
				return modules.Outcome{}, err
			}
			out, err := c.Confirm(ctx, &observed{c: conn, r: r, node: ns.name, step: s.ID}, t)
			if err != nil {
				return out, fmt.Errorf("%w; after reconnect: %w", lost, err)
			}
			return out, nil
		}
		f, err := r.gather(ctx, ns, s)
		if err != nil {
			return modules.Outcome{}, fmt.Errorf("%w; facts after reconnect: %w", lost, err)
		}
		r.factsEvent(ns, s, "after reconnect", f)
		switch spec.Effect {
		case rollout.EffectRelease:
			if f.Release == t.To {
				return modules.Outcome{Summary: "node rebooted; release " + f.Release + " confirmed from facts"}, nil
			}
			return modules.Outcome{}, fmt.Errorf("connection lost during upgrade and the node reports release %s, not %s: %w", f.Release, t.To, lost)
		case rollout.EffectSSP:
			want := argInt(t.Args, "ssp", -1)
			if f.Release == t.From && want >= 0 && f.SSP >= want {
				return modules.Outcome{Summary: fmt.Sprintf("node rebooted; SSP %d confirmed from facts", f.SSP)}, nil
			}
			return modules.Outcome{}, fmt.Errorf("connection lost during SSP install and the node reports SSP %d: %w", f.SSP, lost)
		default: // EffectData: restore, migrate
			before, ok := r.beforeFacts(ns, s.Hop.Index)
			if ok && f.Release == t.To && f.DataDigest == before.DataDigest && f.Users == before.Users {
				return modules.Outcome{Summary: "node rebooted; data confirmed from facts"}, nil
			}
			return modules.Outcome{}, fmt.Errorf("connection lost during %s and the node's data does not match the backup: %w", s.Phase, lost)
		}
	default:
		conn, err := r.pool.get(ctx, ns)
		if err != nil {
			return modules.Outcome{}, err
		}
		return mod.Run(ctx, &observed{c: conn, r: r, node: ns.name, step: s.ID}, t)
	}
	return modules.Outcome{}, fmt.Errorf("connection lost during user step %s; not re-run: %w", s.ID, lost)
}

// confirmer is implemented by modules whose change reboots the node
// (sm.Confirmer): after the redial, Confirm reads the node and says whether
// the change took.
type confirmer interface {
	Confirm(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error)
}
