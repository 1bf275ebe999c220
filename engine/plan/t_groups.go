package plan

import (
	"github.com/runbook-dev/runbook/engine/catalog"
)

// groupLookahead bounds how far ahead in the sequence groups looks for a
// unit that may share the current drained window.
const groupLookahead = 32

// groups splits the enterprise's sequence into drained windows that may
// overlap. With parallel (or branch_parallel) above 1 a window may take a
// later unit of the sequence ahead of the ones between, when that keeps the
// rules in every interleaving of the window and leaves the rest of the
// sequence valid: at most max_lines lines among the core SMs, a BSM never on
// a line its cluster's core SMs have not reached. Units never move across a
// System Manager hop, nor ahead of an earlier unit of their own node.
func (b *builder) groups() [][]move {
	pol := b.cfg.Runbook.Policy
	g := &grouper{b: b, branchLimit: max(pol.BranchParallel, 1), coreLimit: max(pol.Parallel, 1),
		rel: map[*nodeState]string{}, cores: map[string][]*nodeState{}}
	for _, ns := range b.nodes {
		g.rel[ns] = ns.release
		if ns.isCore() {
			g.cores[ns.n.Cluster] = append(g.cores[ns.n.Cluster], ns)
		}
	}
	var out [][]move
	start := 0
	for i := 1; i <= len(b.seq); i++ {
		if i == len(b.seq) || b.smgrBefore[i] {
			out = append(out, g.segment(b.seq[start:i])...)
			start = i
		}
	}
	return out
}

type grouper struct {
	b                      *builder
	branchLimit, coreLimit int
	rel                    map[*nodeState]string // releases after the groups made so far
	cores                  map[string][]*nodeState
}

func (g *grouper) to(m move) string { return m.node.units()[m.unit].to }

// segment groups a run of the sequence that no SMGR hop interrupts.
func (g *grouper) segment(rem []move) [][]move {
	rem = append([]move(nil), rem...)
	var out [][]move
	for len(rem) > 0 {
		group := []move{rem[0]}
		taken := map[int]bool{0: true}
		if g.coreLimit > 1 || g.branchLimit > 1 {
			for k := 1; k < len(rem) && k <= groupLookahead; k++ {
				if g.mayTake(rem, taken, group, k) {
					group = append(group, rem[k])
					taken[k] = true
				}
			}
		}
		for _, m := range group {
			g.rel[m.node] = g.to(m)
		}
		var rest []move
		for k, m := range rem {
			if !taken[k] {
				rest = append(rest, m)
			}
		}
		rem = rest
		out = append(out, group)
	}
	return out
}

// mayTake says whether rem[k] may join the group being made of the taken
// units of rem.
func (g *grouper) mayTake(rem []move, taken map[int]bool, group []move, k int) bool {
	m := rem[k]
	if !g.b.mayJoin(group, m, g.branchLimit, g.coreLimit) {
		return false
	}
	for j := 0; j < k; j++ {
		if !taken[j] && rem[j].node == m.node {
			return false // a node's units keep their order
		}
	}
	state := map[*nodeState]string{}
	for ns, r := range g.rel {
		state[ns] = r
	}
	// Every interleaving of the window shows a subset of the lines before
	// and after it; a BSM's core SMs do not move inside a BSM window.
	if m.node.isBSM() && !m.node.units()[m.unit].ssp && !g.bsmMayMove(state, m) {
		return false
	}
	union := g.coreLines(state)
	for _, o := range group {
		state[o.node] = g.to(o)
	}
	state[m.node] = g.to(m)
	for l := range g.coreLines(state) {
		union[l] = true
	}
	if len(union) > g.b.cat.Rules.MaxLines {
		return false
	}
	// The units left behind must still run, in their order, from there.
	for j, o := range rem {
		if taken[j] || j == k {
			continue
		}
		if o.node.isBSM() && !o.node.units()[o.unit].ssp && !g.bsmMayMove(state, o) {
			return false
		}
		state[o.node] = g.to(o)
		if o.node.isCore() && len(g.coreLines(state)) > g.b.cat.Rules.MaxLines {
			return false
		}
	}
	return true
}

func (g *grouper) coreLines(state map[*nodeState]string) map[string]bool {
	set := map[string]bool{}
	for _, cs := range g.cores {
		for _, ns := range cs {
			set[catalog.LineOf(state[ns])] = true
		}
	}
	return set
}

// bsmMayMove: a BSM crosses to another line only once its core SMs have
// reached its target, and patches only once they are on its line.
func (g *grouper) bsmMayMove(state map[*nodeState]string, m move) bool {
	u := m.node.units()[m.unit]
	to := catalog.LineOf(u.to)
	for _, c := range m.node.cores {
		if c.failed {
			continue
		}
		if catalog.CompareLines(catalog.LineOf(state[c]), to) < 0 || (!u.patch && !u.ssp && catalog.Compare(state[c], m.node.target) < 0) {
			return false
		}
	}
	return true
}
