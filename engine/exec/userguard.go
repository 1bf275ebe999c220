package exec

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// userGuards evaluates the manifest's guard blocks of the step's phase,
// against the node and facts read right now. A false condition refuses the
// step with the guard's name as id and its rendered message; a condition
// that cannot be evaluated refuses too (an unknown is not a yes).
func (r *run) userGuards(ctx context.Context, ns *nodeState, s *plan.Step) error {
	var n int
	for _, g := range r.cfg.Guards {
		if g.Phase == string(s.Phase) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		return err
	}
	offline := r.declaredOnly(ns.name)
	var ectx *hcl.EvalContext
	if offline {
		// What the node alone could tell is unknown, so a condition over it
		// evaluates to unknown; one over the predicted release is judged.
		ectx = r.cfg.NodeContextFor(ns.cn, OfflineFactsValues(&f))
	} else if ectx, err = r.opts.NodeContext(r.cfg, ns.cn, &f); err != nil {
		return fmt.Errorf("guard context for %s: %w", ns.name, err)
	}
	for _, g := range r.cfg.Guards {
		if g.Phase != string(s.Phase) {
			continue
		}
		v, diags := g.Condition.Value(ectx)
		var gerr *GuardError
		if offline && !diags.HasErrors() && !v.IsWhollyKnown() {
			r.guardVerdict(s, ns.name, g.Name, "unknown", "offline dry-run: the condition reads facts only the node can tell")
			continue
		}
		switch {
		case diags.HasErrors():
			gerr = guardErr(g.Name, "condition cannot be evaluated: %s", diags.Error())
		case v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool:
			gerr = guardErr(g.Name, "condition is not a known bool")
		case v.False():
			gerr = guardErr(g.Name, "%s", r.renderMessage(g.Message, ectx, g.Name))
		}
		if gerr != nil {
			return r.check(s, ns.name, g.Name, gerr, "")
		}
		r.guardVerdict(s, ns.name, g.Name, "pass", "condition holds")
	}
	return nil
}
