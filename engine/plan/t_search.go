package plan

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// searchTransform finds the enterprise's unit sequence (see search.go):
// one search over every SM/BSM of every cluster, because the vendor's
// "Session Manager cluster" is every core SM under one System Manager. It
// picks every node's path from it, reports cluster.releases when no order
// keeps the line limit, then the per-node path verdicts of the chosen paths.
func (b *builder) searchTransform() {
	var nodes []*nodeState
	failed := false
	for _, cl := range b.cfg.Clusters {
		for _, n := range cl.Nodes {
			ns := b.byName[n.Name]
			nodes = append(nodes, ns)
			failed = failed || ns.failed
		}
	}
	b.search(nodes, failed)
	for _, ns := range b.nodes {
		b.pathVerdicts(ns)
	}
}

func (b *builder) search(nodes []*nodeState, failed bool) {
	full := searchMode{lines: true, bsm: true, smgr: true}
	attempts := []searchMode{full, {lines: true, bsm: true, smgr: true, alternatives: true}}
	if failed {
		// A node without a path would only make the line verdict noisy.
		attempts = nil
	}
	var refused *searcher
	if !failed {
		// The line rule reads only the core SMs: when they alone cannot keep
		// it, with any order and any alternative path, nothing else can.
		// This settles most refusals without searching the BSMs' and System
		// Manager's moves as well.
		var cores []*nodeState
		for _, ns := range nodes {
			if ns.isCore() {
				cores = append(cores, ns)
			}
		}
		pre := b.newSearcher(cores, searchMode{lines: true, alternatives: true})
		if !pre.run() && !pre.aborted {
			refused, attempts = pre, nil
		}
	}
	for k, m := range attempts {
		s := b.newSearcher(nodes, m)
		if s.run() {
			if k > 0 {
				// Say why a longer path was needed: the shortest paths
				// meet the order rules once the line rule is left out.
				b.altWhy = "order"
				if b.newSearcher(nodes, searchMode{bsm: true, smgr: true}).run() {
					b.altWhy = "line"
				}
			}
			b.adopt(s)
			return
		}
		refused = s
	}
	relaxed := b.newSearcher(nodes, searchMode{bsm: true, smgr: true, alternatives: true})
	ok := relaxed.run()
	switch {
	case ok && refused != nil:
		msg, node, rng := b.refusal(refused)
		b.addGuard(guard.ClusterReleases, node, rng, msg,
			"Never more than two release lines may run among the enterprise's core SMs (every core SM under one System Manager, whatever its cluster). Bring the nodes of the oldest line up first (a separate change), or choose a target that the others can reach while at most two lines coexist (see `runbook releases`).")
	case !ok && !failed:
		b.addGuard(guard.OrderSMGRFirst, "", b.cfg.Runbook.DeclRange,
			"no order upgrades System Manager before the SMs that need it and after the SSP passes it needs",
			"Check the system_manager target and the SSP levels declared on the nodes.")
	}
	if !ok {
		relaxed = b.newSearcher(nodes, searchMode{})
		relaxed.run()
		b.ungated = true
	}
	b.adopt(relaxed)
}

// adopt records a successful search: each node's chosen path and the
// enterprise's unit sequence.
func (b *builder) adopt(s *searcher) {
	for i, ns := range s.nodes {
		if t := s.tries[i].nodes[s.pos[i]].terminal; t >= 0 {
			ns.chosen = t
		}
	}
	var seq []move
	marker := -1
	b.smgrBefore = map[int]bool{}
	for _, m := range s.moves {
		if m.node >= 0 {
			seq = append(seq, move{node: s.nodes[m.node], unit: m.depth})
			continue
		}
		b.smgrBefore[len(seq)] = true
		if m.depth == s.sspHop {
			marker = len(seq)
		}
	}
	if marker < 0 {
		marker = len(seq)
	}
	b.seq = seq
	b.sspMarker = marker
}

// refusal explains cluster.releases and names the node whose move would
// have made one line too many.
func (b *builder) refusal(s *searcher) (msg, node string, rng hcl.Range) {
	max := b.cat.Rules.MaxLines
	rng = b.cfg.Runbook.TargetRange
	if now := s.lines(-1, ""); len(now) > max {
		return fmt.Sprintf("the enterprise's core SMs already run %d release lines (%s); at most %d may coexist", len(now), strings.Join(now, ", "), max), "", rng
	}
	msg = fmt.Sprintf("no order keeps at most %d release lines among the enterprise's core SMs", max)
	if w := s.worst; w != nil {
		msg += fmt.Sprintf(": at best, moving %s from %s to %s would leave lines %s among them", w.node, w.u.from, w.u.to, strings.Join(w.lines, ", "))
		if ns := b.byName[w.node]; ns != nil {
			node, rng = w.node, ns.attr("release")
		}
	}
	if s.aborted {
		msg += fmt.Sprintf(" (search stopped after %d states)", s.expanded)
	}
	return msg, node, rng
}

// multiHopWhy says, for every release a node's path passes through on the
// way to another line, why it is there: the path rule (the catalog has no
// direct hop, so even the shortest path goes through it) or the line rule /
// order rules (the order search chose a longer path because no order keeps
// the rules with the shortest one).
func (b *builder) multiHopWhy(ns *nodeState) string {
	chosen := ns.cands[ns.chosen].path
	shortest := ns.cands[0].path
	onShortest := map[string]bool{}
	for _, st := range shortest.Steps {
		onShortest[st.To] = true
	}
	var why []string
	for _, st := range chosen.Steps {
		if st.Patch || st.To == ns.target {
			continue
		}
		if onShortest[st.To] {
			from := catalog.LineOf(st.From)
			for _, s0 := range shortest.Steps {
				if s0.To == st.To {
					from = catalog.LineOf(s0.From)
				}
			}
			why = append(why, fmt.Sprintf("%s: path rule: the catalog has no hop from %s to %s (from %s it supports: %s).",
				st.To, from, catalog.LineOf(ns.target), from, lineList(b.cat.HopsFrom(ns.product, from))))
			continue
		}
		short := strings.Join(shortest.Releases(ns.release), " -> ")
		if b.altWhy == "order" {
			why = append(why, fmt.Sprintf("%s: order rules: with every node on its shortest path (here %s) no order upgrades System Manager before the SMs that need it and after the SSP passes it needs.", st.To, short))
		} else {
			why = append(why, fmt.Sprintf("%s: line rule: with every node on its shortest path (here %s) no order keeps at most %d release lines among the enterprise's core SMs.", st.To, short, b.cat.Rules.MaxLines))
		}
	}
	return strings.Join(why, " ")
}

func lineList(lines []string) string {
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, ", ")
}

// pathVerdicts reports path.multi_hop, source.not_latest and ssp.required
// for the node's chosen path.
func (b *builder) pathVerdicts(ns *nodeState) {
	if ns.failed || len(ns.cands) == 0 {
		return
	}
	c := ns.cands[ns.chosen]
	name := ns.n.Name
	if c.path.CrossLine() > 1 {
		sev := guard.Warning
		hint := "Each intermediate release is a full hop with its own backup and drained window."
		if !b.cfg.Runbook.Policy.MultiHop {
			sev = guard.Error
			hint = "policy.multi_hop is false: set it to true, or choose an intermediate target for this change."
		}
		b.addGuardSev(guard.PathMultiHop, sev, name, ns.attr("release"),
			fmt.Sprintf("%s: intermediate hops inserted: %s", name, strings.Join(c.path.Releases(ns.release), " -> ")),
			b.multiHopWhy(ns)+" "+hint)
	}
	if len(c.path.Steps) > 0 && c.path.Steps[0].Inserted {
		b.addGuard(guard.SourceNotLatest, name, ns.attr("release"),
			"%s: %s is below %s, the latest of its line: a patch hop to %s was inserted",
			"The next hop requires the latest release of the line; the patch hop runs first in the same plan.",
			name, ns.release, c.path.Steps[0].To, c.path.Steps[0].To)
	}
	for _, u := range c.units {
		if !u.ssp {
			continue
		}
		why := "the next hop requires it"
		switch {
		case ns.rule1:
			why = fmt.Sprintf("it must be installed before System Manager goes to %s", b.cat.Rules.SMGRSSPTarget)
		case u.from != ns.release && b.smgrReachesSSPTarget() && catalog.CompareLines(catalog.LineOf(u.from), b.cat.Rules.SMGRSSPFrom) >= 0:
			why = fmt.Sprintf("the node is on %s when System Manager goes to %s, and must carry its latest SSP by then", u.from, b.cat.Rules.SMGRSSPTarget)
		}
		have := "not declared"
		if ns.ssp >= 0 && u.from == ns.release {
			have = fmt.Sprintf("declared %d", ns.ssp)
		}
		b.addGuard(guard.SSPRequired, name, ns.attr("ssp"),
			"%s: latest SSP %d on %s missing (%s): an ssp pass was inserted",
			"The SSP pass ("+why+") is its own drained window on the node; declare ssp = N on the node if the latest SSP is already installed.",
			name, u.level, u.from, have)
	}
}
