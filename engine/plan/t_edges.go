package plan

import (
	"github.com/runbook-dev/runbook/engine/catalog"
)

// edgesTransform adds the dependencies between nodes (the rules "Across
// nodes" of the README's "Planning"):
//   - across the whole enterprise, the units run in the searched sequence,
//     one drained window at a time, except that consecutive units of one
//     kind share a window when nothing the rules forbid can happen in any
//     interleaving of them: BSM units up to policy.branch_parallel, core SM
//     units up to policy.parallel (never a node with its secondary), and no
//     interleaving may break the line or core-before-branch rules (see
//     t_groups.go); a
//     unit's drain waits for the undrain of every unit of the group before;
//   - an SM/BSM hop waits for the SMGR hop that brings SMGR to its line;
//   - SMGR's hop into smgr_ssp_target waits for the SSP passes of rule 1;
//   - Ansible-style user steps run one node at a time inside a cluster.
func (b *builder) edgesTransform() {
	groups := b.groups()
	for g := 1; g < len(groups); g++ {
		for _, prev := range groups[g-1] {
			for _, next := range groups[g] {
				b.graph.Connect(b.lastStep(prev), b.drainStep(next))
			}
		}
	}
	b.geoEdges()
	if b.smgrGate && !b.ungated {
		b.smgrEdges()
	}
	for _, cl := range b.cfg.Clusters {
		last := ""
		for _, n := range cl.Nodes {
			ns := b.byName[n.Name]
			if len(ns.chainSteps) == 0 {
				continue
			}
			if last != "" {
				b.graph.Connect(last, ns.chainSteps[0])
			}
			last = ns.chainSteps[len(ns.chainSteps)-1]
		}
	}
}

// mayJoin says whether m may share the drained window of group g: same kind
// (never a BSM with a core SM), under the kind's limit, not the same node,
// and for core SMs never a node together with its secondary.
func (b *builder) mayJoin(g []move, m move, branchLimit, coreLimit int) bool {
	if hasNode(g, m.node) {
		return false
	}
	if m.node.isBSM() {
		return len(g) < branchLimit && allBSM(g)
	}
	if !m.node.isCore() || len(g) >= coreLimit {
		return false
	}
	for _, o := range g {
		if !o.node.isCore() || o.node.n.Secondary == m.node.n.Name || m.node.n.Secondary == o.node.n.Name {
			return false
		}
	}
	return true
}

func allBSM(g []move) bool {
	for _, m := range g {
		if !m.node.isBSM() {
			return false
		}
	}
	return true
}

func hasNode(g []move, ns *nodeState) bool {
	for _, m := range g {
		if m.node == ns {
			return true
		}
	}
	return false
}

func (b *builder) lastStep(m move) string {
	ids := m.node.unitSteps[m.unit]
	return ids[len(ids)-1]
}

// drainStep is the unit's drain (its first step when it has none).
func (b *builder) drainStep(m move) string {
	for _, id := range m.node.unitSteps[m.unit] {
		if b.steps[id].Phase == PhaseDrain {
			return id
		}
	}
	return m.node.unitSteps[m.unit][0]
}

func (b *builder) smgrEdges() {
	smgrUnits := b.smgr.units()
	sspHop := b.smgrSSPHop()
	sspUnit := -1
	for k, su := range smgrUnits {
		if !su.ssp && su.index == sspHop+1 {
			sspUnit = k
		}
	}
	// Rule 1 reads each node's release at the moment SMGR's hop into
	// smgr_ssp_target runs: where the sequence has the node at the marker.
	atMarker := map[*nodeState]string{}
	for i, m := range b.seq {
		if i < b.sspMarker {
			atMarker[m.node] = m.node.units()[m.unit].to
		}
	}
	from := b.cat.Rules.SMGRSSPFrom
	for i, m := range b.seq {
		u := m.node.units()[m.unit]
		// Rule 1: the units of covered nodes before the marker run before
		// SMGR's hop into smgr_ssp_target, their hops after it wait for it.
		// A node that started below smgr_ssp_from is covered by the release
		// it reached: before the marker when it stands on smgr_ssp_from or
		// later there, after it for every hop into smgr_ssp_from or later
		// (so no schedule moves it up while SMGR changes).
		if sspHop >= 0 && sspUnit >= 0 {
			smgrFirst := b.smgr.unitSteps[sspUnit][0]
			smgrLast := b.smgr.unitSteps[sspUnit][len(b.smgr.unitSteps[sspUnit])-1]
			switch {
			case i < b.sspMarker && (m.node.rule1 || catalog.CompareLines(catalog.LineOf(atMarker[m.node]), from) >= 0):
				b.graph.Connect(b.lastStep(m), smgrFirst)
			case i >= b.sspMarker && !u.ssp && (m.node.rule1 || catalog.CompareLines(catalog.LineOf(u.to), from) >= 0):
				b.graph.Connect(smgrLast, m.node.unitSteps[m.unit][0])
				b.afterPeer(catalog.LineOf(u.to), m)
			}
		}
		if u.ssp {
			continue
		}
		line := catalog.LineOf(u.to)
		if catalog.CompareLines(catalog.LineOf(b.smgr.release), line) >= 0 {
			// The primary stands on line already; a geo-redundant
			// secondary below it still has to get there first.
			b.afterPeer(line, m)
			continue
		}
		for k, su := range smgrUnits {
			if catalog.CompareLines(catalog.LineOf(su.to), line) >= 0 {
				ids := b.smgr.unitSteps[k]
				b.graph.Connect(ids[len(ids)-1], m.node.unitSteps[m.unit][0])
				b.afterPeer(line, m)
				break
			}
		}
	}
}

// afterPeer makes m (a hop into line) wait for the replication_on after
// which the geo-redundant pair first stands together on line or later: SM
// hops run after both members and with replication on.
func (b *builder) afterPeer(line string, m move) {
	if b.smgrPeer == nil {
		return
	}
	if id := b.pairSettled(line); id != "" {
		b.graph.Connect(id, m.node.unitSteps[m.unit][0])
	}
}
