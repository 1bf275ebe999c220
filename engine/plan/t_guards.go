package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// guardsTransform reports the static rules that need the finished plan:
// cluster.uds_split, cluster.no_secondary, policy.parallel, calls.policy,
// window.too_short, artifact.missing and rollback.media.
func (b *builder) guardsTransform() {
	b.udsSplit()
	b.redundancy()
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

// udsSplit warns when the plan moves core SMs from 7.x/8.x to uds_split_to
// while the enterprise's User Data Storage (one Cassandra ring across every
// cluster) is split: from the first such arrival while another core SM is
// still on 7.x/8.x, or while one is already on the new line. It shows
// failed until all of them are done.
func (b *builder) udsSplit() {
	to := b.cat.Rules.UDSSplitTo
	if to == "" {
		return
	}
	old := func(r string) bool {
		l := catalog.LineOf(r)
		return l != "" && catalog.CompareLines(l, "7.0") >= 0 && catalog.CompareLines(l, "10.0") < 0
	}
	isNew := func(r string) bool { l := catalog.LineOf(r); return l != "" && catalog.CompareLines(l, to) >= 0 }
	var movers []*nodeState
	others := false // another core SM starts on the new line or ends on an old one
	for _, ns := range b.nodes {
		if !ns.isCore() {
			continue
		}
		end := ns.target
		if ns.failed {
			end = ns.release
		}
		if !ns.failed && old(ns.release) && isNew(ns.target) {
			movers = append(movers, ns)
			continue
		}
		others = others || isNew(ns.release) || old(end)
	}
	if len(movers) == 0 || (len(movers) == 1 && !others) {
		return
	}
	var names []string
	for _, ns := range movers {
		names = append(names, ns.n.Name)
	}
	b.addGuard(guard.ClusterUDSSplit, movers[0].n.Name, b.targetRange(movers[0]),
		"the plan moves %d core SM(s) (%s) from 7.x/8.x to %s: the enterprise's User Data Storage shows failed until every core SM is on one side",
		"User Data Storage replicates across every core SM of the enterprise, whatever its cluster. Plan all of them into one maintenance window.",
		len(movers), strings.Join(names, ", "), to)
}

// redundancy reports what the plan costs the phones: cluster.no_secondary
// for every core SM it drains without a secondary, policy.parallel when
// several core SMs may be out of service at once, and calls.policy when
// calls may stay on a node while it changes.
func (b *builder) redundancy() {
	pol := b.cfg.Runbook.Policy
	drained := 0
	for _, ns := range b.nodes {
		if ns.isSMGR() || len(ns.units()) == 0 {
			continue
		}
		drained++
		if ns.isCore() && ns.n.Secondary == "" {
			b.addGuard(guard.ClusterNoSecondary, ns.n.Name, ns.n.Range,
				"%s has no secondary: its phones lose service while it is drained",
				"Name the core SM that serves its phones while it is down (secondary = \"…\", any cluster), or plan the change when its phones may be out of service.",
				ns.n.Name)
		}
	}
	if drained == 0 {
		return
	}
	if pol.Parallel > 1 {
		b.addGuard(guard.PolicyParallel, "", b.policyRange("parallel"),
			"parallel = %d lets up to %d core SMs of the enterprise be out of service at once",
			"The vendor upgrades Session Managers one at a time; parallel = 1 follows that. Two nodes of one secondary pair are never drained together.",
			pol.Parallel, pol.Parallel)
	}
	if pol.MaxActiveCalls > 0 {
		b.addGuard(guard.CallsPolicy, "", b.policyRange("max_active_calls"),
			"max_active_calls = %d: up to that many calls stay on a node while it changes",
			"Calls still up on a node being upgraded cannot be changed (transfer, hold) and may drop; max_active_calls = 0 waits until every call has ended.",
			pol.MaxActiveCalls)
	}
}

// policyRange is where a policy attribute is written, else the policy
// block, else the runbook block.
func (b *builder) policyRange(name string) hcl.Range {
	pol := b.cfg.Runbook.Policy
	if r, ok := pol.Attrs[name]; ok {
		return r
	}
	if pol.Range.Filename != "" {
		return pol.Range
	}
	return b.cfg.Runbook.DeclRange
}
