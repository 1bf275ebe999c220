package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/release"
)

// checkScopeOrder judges order.smgr_first against the run's --cluster
// selection before any step runs. The plan orders System Manager's hops
// before the SM/BSM hops that need them; a selection without "smgr" drops
// those hops, so, unless System Manager is already on a line new enough (read
// from it, read-only), the selected hops would each fail at their change,
// after their node was drained. Refusing the whole run up front changes
// nothing instead.
func (r *run) checkScopeOrder(ctx context.Context) error {
	if len(r.opts.Clusters) == 0 || r.cfg.SMGR == nil || slices.Contains(r.opts.Clusters, eval.SMGRCluster) {
		return nil
	}
	var need []*plan.Step
	for _, s := range r.steps {
		if s.Phase.Spec().NewRelease && !s.User && !r.isHeld(s.ID) {
			need = append(need, s)
		}
	}
	if len(need) == 0 {
		return nil
	}
	// As at each change (checkSMGRFirst): System Manager's release as it
	// reports it, or as declared when it cannot be read.
	smgr := r.cfg.SMGR.Release
	if sn, err := r.peer(r.cfg.SMGR.Name); err == nil {
		if f, err := r.gather(ctx, sn, nil); err == nil && f.Release != "" {
			smgr = f.Release
		} else if ctx.Err() != nil {
			return nil
		}
	}
	var late []string
	var first *plan.Step
	for _, s := range need {
		if release.CompareLines(release.Line(smgr), release.Line(s.Hop.To)) < 0 {
			late = append(late, fmt.Sprintf("%s to %s", s.Node, s.Hop.To))
			if first == nil {
				first = s
			}
		}
	}
	if first == nil {
		return nil
	}
	ge := guardErr(guard.OrderSMGRFirst,
		"System Manager %s is on %s, older than the line of %s, and --cluster %s leaves it out: add --cluster %s (or upgrade System Manager first); nothing was changed",
		r.cfg.SMGR.Name, smgr, strings.Join(late, ", "), strings.Join(r.opts.Clusters, " --cluster "), eval.SMGRCluster)
	r.check(first, first.Node, guard.OrderSMGRFirst, ge, "")
	return fmt.Errorf("%s: %w", guard.OrderSMGRFirst, ge)
}
