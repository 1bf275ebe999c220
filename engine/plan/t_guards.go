package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// guardsTransform reports the static rules that need the finished plan:
// cluster.uds_split, window.too_short, artifact.missing and rollback.media.
func (b *builder) guardsTransform() {
	b.udsSplit()
	b.rollbackMedia()
	if w := b.cfg.Runbook.Window; w != nil {
		window := w.End.Sub(w.Start)
		need := time.Duration(b.plan.EstimatedDurationS) * time.Second
		if need > window {
			// An error: a plan that cannot finish in its window would leave
			// the fleet half-changed (mixed releases) when the window ends.
			b.addGuard(guard.WindowTooShort, "", w.Range,
				"the plan needs about %s but the window is %s",
				"Widen the window, raise policy.parallel (or policy.branch_parallel for branches), or split the change into several changes that each fit a window (for example one per cluster).",
				need, window)
		}
	}
	for _, key := range b.missingOrder {
		m := b.missing[key]
		var names []string
		for _, ns := range m.nodes {
			names = append(names, ns.n.Name)
		}
		what := fmt.Sprintf("%s media for %s %s", m.kind, m.product, m.release)
		hint := fmt.Sprintf("Add an artifact block with kind = %q, product = %q, release = %q, file and sha256.", m.kind, m.product, m.release)
		if m.kind == "ssp" {
			what = fmt.Sprintf("SSP %d media for %s %s", m.level, m.product, m.release)
		}
		b.addGuard(guard.ArtifactMissing, m.nodes[0].n.Name, m.nodes[0].n.Range,
			"no artifact provides the %s (needed by %s)", hint, what, strings.Join(names, ", "))
	}
}

// udsSplit warns when more than one core SM of a cluster moves from 7.x/8.x
// to uds_split_to: User Data Storage shows failed until all are done.
func (b *builder) udsSplit() {
	to := b.cat.Rules.UDSSplitTo
	if to == "" {
		return
	}
	for _, cl := range b.cfg.Clusters {
		var movers []string
		for _, n := range cl.Nodes {
			ns := b.byName[n.Name]
			from := catalog.LineOf(ns.release)
			if !ns.isCore() || ns.failed || from == "" || catalog.CompareLines(from, "7.0") < 0 || catalog.CompareLines(from, "10.0") >= 0 {
				continue
			}
			if catalog.CompareLines(catalog.LineOf(ns.target), to) >= 0 {
				movers = append(movers, ns.n.Name)
			}
		}
		if len(movers) > 1 {
			b.addGuard(guard.ClusterUDSSplit, movers[0], cl.Range,
				"cluster %s moves %d SMs (%s) from 7.x/8.x to %s: User Data Storage shows failed until all of them are done",
				"Finish the whole cluster in one window; the plan keeps the cluster's hops together.",
				cl.Name, len(movers), strings.Join(movers, ", "), to)
		}
	}
}
