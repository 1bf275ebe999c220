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

// checkScopeOrder judges the order rules against the run's selection
// (--cluster, --limit) before any step runs: the plan orders System
// Manager's hops before the SM/BSM hops that need them, and core SMs before
// their branches; a selection that leaves the earlier node out drops that
// order. Unless the node left out is already where the rule needs it (read
// from it, read-only), the selected hops would fail at their change, after
// their node was drained: refusing the whole run up front changes nothing
// instead.
func (r *run) checkScopeOrder(ctx context.Context) error {
	if len(r.opts.Clusters) == 0 && len(r.opts.Limit) == 0 {
		return nil
	}
	if err := r.checkScopeSMGR(ctx); err != nil {
		return err
	}
	if err := r.checkScopeGeo(ctx); err != nil {
		return err
	}
	return r.checkScopeCore(ctx)
}

// checkScopeGeo judges the geo-redundant pair's order against the
// selection: the plan upgrades the primary System Manager before its
// secondary, so a selection that takes the secondary and leaves the primary
// out is refused unless the primary is already at its target (read
// read-only, else as declared).
func (r *run) checkScopeGeo(ctx context.Context) error {
	prim, sec := r.cfg.SMGR, r.cfg.SMGRSecondary
	if prim == nil || sec == nil || !r.opts.selects(eval.SMGRCluster, sec.Name) || r.opts.selects(eval.SMGRCluster, prim.Name) {
		return nil
	}
	var first *plan.Step
	for _, s := range r.steps {
		if s.Node == sec.Name && s.Phase.Spec().ChangesNode && !s.User && !r.isHeld(s.ID) {
			first = s
			break
		}
	}
	want := prim.Target
	if first == nil || want == "" {
		return nil
	}
	rel := r.outsideRelease(ctx, prim)
	if ctx.Err() != nil || release.Compare(rel, want) >= 0 {
		return nil
	}
	ge := guardErr(guard.SMGRGeo,
		"the geo-redundant secondary %s changes only after its primary %s, which is on %s (target %s), and %s leaves the primary out: add %s (or upgrade the primary first); nothing was changed",
		sec.Name, prim.Name, rel, want, r.selection(), r.addToSelection(eval.SMGRCluster, prim.Name))
	r.check(first, first.Node, guard.SMGRGeo, ge, "")
	return fmt.Errorf("%s: %w", guard.SMGRGeo, ge)
}

// checkScopeSMGR judges order.smgr_first against the selection, for System
// Manager and, in a geo-redundant pair, its secondary.
func (r *run) checkScopeSMGR(ctx context.Context) error {
	var need []*plan.Step
	for _, s := range r.steps {
		if s.Phase.Spec().NewRelease && !s.User && !r.isHeld(s.ID) {
			need = append(need, s)
		}
	}
	if len(need) == 0 {
		return nil
	}
	for _, m := range smgrMembers(r.cfg) {
		if r.opts.selects(eval.SMGRCluster, m.Name) {
			continue
		}
		if err := r.checkScopeMember(ctx, m, need); err != nil || ctx.Err() != nil {
			return err
		}
	}
	return nil
}

// checkScopeMember judges order.smgr_first for one System Manager the
// selection leaves out.
func (r *run) checkScopeMember(ctx context.Context, m *eval.Node, need []*plan.Step) error {
	// As at each change (checkSMGRFirst): System Manager's release as it
	// reports it, or as declared when it cannot be read.
	smgr := m.Release
	if sn, err := r.peer(m.Name); err == nil {
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
		"System Manager %s is on %s, older than the line of %s, and %s leaves it out: add %s (or upgrade System Manager first); nothing was changed",
		m.Name, smgr, strings.Join(late, ", "), r.selection(), r.addToSelection(eval.SMGRCluster, m.Name))
	r.check(first, first.Node, guard.OrderSMGRFirst, ge, "")
	return fmt.Errorf("%s: %w", guard.OrderSMGRFirst, ge)
}

// checkScopeCore judges bsm.above_core against the selection: the plan
// upgrades a branch's core SMs before the branch, so a selected branch whose
// hops are to run needs every core SM it registers with either selected too
// or already at its target (read read-only, else as declared).
func (r *run) checkScopeCore(ctx context.Context) error {
	targets := map[string]string{}
	for _, pn := range r.p.Nodes {
		targets[pn.Name] = pn.Target
	}
	var late, add []string
	var first *plan.Step
	seen := map[string]bool{}
	for _, s := range r.steps {
		ns := r.nodes[s.Node]
		if ns == nil || ns.pn == nil || !ns.kind.Spec().Branch || !s.Phase.Spec().NewRelease || s.User || r.isHeld(s.ID) {
			continue
		}
		for _, core := range ns.pn.Core {
			cn := r.cfg.NodeByName(core)
			if cn == nil || r.opts.selects(cn.Cluster, cn.Name) || seen[s.Node+"/"+core] {
				continue
			}
			want := targets[core]
			if want == "" {
				continue
			}
			rel := r.outsideRelease(ctx, cn)
			if ctx.Err() != nil {
				return nil
			}
			if release.Compare(rel, want) >= 0 {
				continue
			}
			seen[s.Node+"/"+core] = true
			late = append(late, fmt.Sprintf("%s needs its core SM %s on %s first (it is on %s)", s.Node, core, want, rel))
			add = append(add, r.addToSelection(cn.Cluster, cn.Name))
			if first == nil {
				first = s
			}
		}
	}
	if first == nil {
		return nil
	}
	slices.Sort(add)
	ge := guardErr(guard.BSMAboveCore,
		"%s, and %s leaves it out: add %s (or upgrade the core SMs first); nothing was changed",
		strings.Join(late, "; "), r.selection(), strings.Join(slices.Compact(add), " "))
	r.check(first, first.Node, guard.BSMAboveCore, ge, "")
	return fmt.Errorf("%s: %w", guard.BSMAboveCore, ge)
}

// outsideRelease is the release of a node outside the selection as it
// reports it, or as declared when it cannot be read.
func (r *run) outsideRelease(ctx context.Context, n *eval.Node) string {
	rel := n.Release
	if sn, err := r.peer(n.Name); err == nil {
		if f, err := r.gather(ctx, sn, nil); err == nil && f.Release != "" {
			rel = f.Release
		}
	}
	return rel
}

// selection is the run's selection as the flags that made it.
func (r *run) selection() string {
	var parts []string
	for _, c := range r.opts.Clusters {
		parts = append(parts, "--cluster "+c)
	}
	for _, l := range r.opts.Limit {
		parts = append(parts, "--limit "+l)
	}
	return strings.Join(parts, " ")
}

// addToSelection is the flag that brings a node left out into the
// selection: its cluster when --cluster leaves the cluster out, else its
// name under --limit.
func (r *run) addToSelection(cluster, node string) string {
	if len(r.opts.Clusters) > 0 && !slices.Contains(r.opts.Clusters, cluster) {
		return "--cluster " + cluster
	}
	return "--limit " + node
}
