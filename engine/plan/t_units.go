package plan

import (
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// unitsTransform turns every candidate path into units: its hops, numbered
// from 1, and at most one SSP pass (hop 0) placed where the rules need the
// latest SSP — before a hop that requires it (rule 1, second half) and, for
// SM/BSMs of smgr_ssp_from and later, before SMGR goes to smgr_ssp_target
// (rule 1, first half), on the release the node stands on after any leading
// patch hop. A candidate that would need two SSP passes is dropped.
func (b *builder) unitsTransform() {
	smgrNeedsSSP := b.smgrReachesSSPTarget()
	for _, ns := range b.nodes {
		if ns.failed {
			continue
		}
		ns.rule1 = smgrNeedsSSP && !ns.isSMGR() &&
			catalog.CompareLines(catalog.LineOf(ns.release), b.cat.Rules.SMGRSSPFrom) >= 0
		var kept []candidate
		for rank, c := range ns.cands {
			units, ok := b.units(ns, c.path)
			if !ok {
				continue
			}
			kept = append(kept, candidate{path: c.path, units: units, rank: rank})
			if smgrNeedsSSP && !ns.isSMGR() && !ns.rule1 {
				for _, v := range b.sspVariants(ns, c.path, units) {
					kept = append(kept, candidate{path: c.path, units: v, rank: rank})
				}
			}
		}
		if len(kept) == 0 && len(ns.cands) > 0 {
			ns.failed = true
			b.addGuard(guard.OrderSMGRFirst, ns.n.Name, ns.attr("release"),
				"%s on %s is ahead of System Manager %s and needs the latest SSP both before SMGR's upgrade and after its own patch hop",
				"A plan holds one SSP pass per node. Upgrade System Manager in a separate change first, or declare ssp = N once the latest SSP of the current release is installed.",
				ns.n.Name, ns.release, b.smgr.release)
		}
		ns.cands = kept
	}
}

// smgrReachesSSPTarget reports whether the manifest takes SMGR across into
// the catalog's smgr_ssp_target line.
func (b *builder) smgrReachesSSPTarget() bool {
	if b.smgr == nil || b.smgr.failed || len(b.smgr.cands) == 0 {
		return false
	}
	return b.smgrSSPHop() >= 0
}

// smgrSSPHop is the index of SMGR's hop into smgr_ssp_target, -1 when none.
func (b *builder) smgrSSPHop() int {
	if b.smgr == nil || b.smgr.failed || len(b.smgr.cands) == 0 {
		return -1
	}
	t := b.cat.Rules.SMGRSSPTarget
	for i, s := range b.smgr.cands[0].path.Steps {
		if catalog.CompareLines(catalog.LineOf(s.From), t) < 0 && catalog.CompareLines(catalog.LineOf(s.To), t) >= 0 {
			return i
		}
	}
	return -1
}

// smgrLineBeforeSSPHop is SMGR's line just before its hop into smgr_ssp_target.
func (b *builder) smgrLineBeforeSSPHop() string {
	return catalog.LineOf(b.smgr.cands[0].path.Steps[b.smgrSSPHop()].From)
}

// sspSatisfied reports whether the node already carries the latest SSP of
// release r. Only the node's current release can be known to.
func (b *builder) sspSatisfied(ns *nodeState, r string) bool {
	latest, ok := b.cat.LatestSSP(ns.product, r)
	if !ok {
		return true // nothing to install
	}
	return r == ns.release && ns.ssp >= latest
}

func (b *builder) units(ns *nodeState, p catalog.Path) ([]unit, bool) {
	lead := 0
	for lead < len(p.Steps) && p.Steps[lead].Patch {
		lead++
	}
	at, rel := -1, ""
	need := func(pos int, r string) bool {
		if b.sspSatisfied(ns, r) {
			return true
		}
		if at >= 0 && at != pos {
			return false
		}
		at, rel = pos, r
		return true
	}
	if ns.rule1 {
		// After the leading patch hops, unless the node's line is already
		// newer than SMGR's before its hop into smgr_ssp_target: that patch
		// hop itself waits for SMGR (rule 2), so the SSP goes on the
		// current release.
		r, pos := ns.release, 0
		if lead > 0 && catalog.CompareLines(catalog.LineOf(ns.release), b.smgrLineBeforeSSPHop()) <= 0 {
			r, pos = p.Steps[lead-1].To, lead
		}
		if !need(pos, r) {
			return nil, false
		}
	}
	for i, s := range p.Steps {
		if s.RequiresSSP && !need(i, s.From) {
			return nil, false
		}
	}
	var out []unit
	for i, s := range p.Steps {
		if i == at {
			lvl, _ := b.cat.LatestSSP(ns.product, rel)
			out = append(out, unit{ssp: true, index: 0, from: rel, to: rel, level: lvl})
		}
		out = append(out, unit{index: i + 1, from: s.From, to: s.To, patch: s.Patch})
	}
	if at == len(p.Steps) {
		lvl, _ := b.cat.LatestSSP(ns.product, rel)
		out = append(out, unit{ssp: true, index: 0, from: rel, to: rel, level: lvl})
	}
	return out, true
}

// sspVariants gives, for a node that starts below smgr_ssp_from, the unit
// sequences that stop on an intermediate release of smgr_ssp_from or later
// (below smgr_ssp_target) for that release's latest SSP: rule 1 reads the
// release a node is on when SMGR's change into smgr_ssp_target runs, so a 7.0
// SM may go to 10.1 before it only with the 10.1 SSP. The order search
// chooses between them and the plain sequence (which keeps the node below
// smgr_ssp_from until SMGR's change). Only sequences without an SSP pass
// get variants: a node takes at most one.
func (b *builder) sspVariants(ns *nodeState, p catalog.Path, units []unit) [][]unit {
	for _, u := range units {
		if u.ssp {
			return nil
		}
	}
	var out [][]unit
	for k := 1; k < len(p.Steps); k++ {
		r := p.Steps[k-1].To
		line := catalog.LineOf(r)
		if catalog.CompareLines(line, b.cat.Rules.SMGRSSPFrom) < 0 || catalog.CompareLines(line, b.cat.Rules.SMGRSSPTarget) >= 0 {
			continue
		}
		lvl, ok := b.cat.LatestSSP(ns.product, r)
		if !ok {
			continue
		}
		v := make([]unit, 0, len(units)+1)
		v = append(v, units[:k]...)
		v = append(v, unit{ssp: true, index: 0, from: r, to: r, level: lvl})
		v = append(v, units[k:]...)
		out = append(out, v)
	}
	return out
}
