package plan

import (
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// checkGeo checks a geo-redundant System Manager pair (two system_manager
// blocks): one geo = "primary", one geo = "secondary", both ending on the
// same release (the vendor's rule: same version including service packs).
// A member without a target takes the other's. A malformed pair is refused
// (smgr.geo) and its secondary gets no steps; a well-formed one becomes
// b.smgrPeer.
func (b *builder) checkGeo() {
	sec := b.cfg.SMGRSecondary
	if sec == nil || b.smgr == nil {
		return
	}
	peer := b.byName[sec.Name]
	hint := `A geo-redundant System Manager pair is two system_manager blocks, one with geo = "primary" and one with geo = "secondary", with the same target; a manifest manages one System Manager otherwise.`
	ok := true
	if b.smgr.n.Geo != "primary" || peer.n.Geo != "secondary" {
		bad := peer
		if b.smgr.n.Geo != "primary" {
			bad = b.smgr
		}
		b.addGuard(guard.SMGRGeo, bad.n.Name, bad.attr("geo"),
			"system_manager %s (geo = %q) and %s (geo = %q) are not one primary and one secondary", hint,
			b.smgr.n.Name, b.smgr.n.Geo, peer.n.Name, peer.n.Geo)
		ok = false
	}
	if peer.target == "" {
		peer.target = b.smgr.target
	}
	if b.smgr.n.Target == "" && peer.n.Target != "" {
		b.smgr.target = peer.target
	}
	if ok && peer.target != b.smgr.target {
		b.addGuard(guard.SMGRGeo, peer.n.Name, b.targetRange(peer),
			"the geo-redundant System Managers end on different releases (%s: %s, %s: %s)", hint,
			b.smgr.n.Name, b.smgr.target, peer.n.Name, peer.target)
		ok = false
	}
	if !ok {
		peer.failed = true
		return
	}
	b.smgrPeer = peer
}

// geoPhase says whether phase belongs in unit k of ns. Replication is the
// pair's: switched off before the first change of the pair (on the member
// whose unit changes first) and back on at the end of the first unit after
// which both members stand on one release (pairOrder); so both end every
// such stretch on one release with replication on, and each SM/BSM hop that
// waits for them finds it on. Neither is planned outside a pair.
func (b *builder) geoPhase(ns *nodeState, k int, phase rollout.Phase) bool {
	if phase != PhaseReplicationOff && phase != PhaseReplicationOn {
		return true
	}
	if b.smgrPeer == nil || (ns != b.smgr && ns != b.smgrPeer) {
		return false
	}
	for _, u := range b.pairOrder() {
		if u.node == ns && u.unit == k {
			if phase == PhaseReplicationOff {
				return u.off
			}
			return u.on
		}
	}
	return false
}

// pairUnit is one unit of a geo-redundant pair in the order the pair runs
// its units, with whether it switches replication off before its change and
// on at its end. closeAt is, for the unit holding the replication_on, the
// index of the unit after which both members stand on one release.
type pairUnit struct {
	node    *nodeState
	unit    int
	off, on bool
	closeAt int
}

// pairOrder runs a geo-redundant pair one unit at a time: first the units
// that bring the secondary up to where the primary stands, then each unit
// of the primary followed by the secondary's units up to the release it
// reached; so the secondary never goes higher than the primary (the
// primary's changes come first) and the pair meets on every release both
// paths share. Replication goes off in the first unit after each meeting
// and back on at the next, in the primary's last unit before it when there
// is one (the primary manages replication), else in the secondary's unit.
func (b *builder) pairOrder() []pairUnit {
	p, s := b.smgr, b.smgrPeer
	pu, su := p.units(), s.units()
	var out []pairUnit
	j := 0
	upTo := func(release string) {
		for ; j < len(su) && catalog.Compare(su[j].to, release) <= 0; j++ {
			out = append(out, pairUnit{node: s, unit: j})
		}
	}
	upTo(p.release)
	for k := range pu {
		out = append(out, pairUnit{node: p, unit: k})
		upTo(pu[k].to)
	}
	for ; j < len(su); j++ {
		out = append(out, pairUnit{node: s, unit: j})
	}
	pr, sr, start := p.release, s.release, 0
	for i := range out {
		if i == start {
			out[i].off = true
		}
		if out[i].node == p {
			pr = pu[out[i].unit].to
		} else {
			sr = su[out[i].unit].to
		}
		if pr != sr {
			continue
		}
		holder := i
		for h := start; h <= i; h++ {
			if out[h].node == p {
				holder = h
			}
		}
		out[holder].on, out[holder].closeAt = true, i
		start = i + 1
	}
	return out
}

// geoEdges chains the units of a geo-redundant pair in pairOrder, one member
// changing at a time; a replication_on held by the primary waits for the
// secondary's unit that brings the pair together, and the next unit waits
// for it.
func (b *builder) geoEdges() {
	if b.smgrPeer == nil {
		return
	}
	order := b.pairOrder()
	first := func(u pairUnit) string { return u.node.unitSteps[u.unit][0] }
	for i, u := range order {
		ids := u.node.unitSteps[u.unit]
		if u.on && u.closeAt > i {
			closer := order[u.closeAt]
			on := b.phaseStep(ids, PhaseReplicationOn)
			b.graph.Connect(lastOf(closer.node.unitSteps[closer.unit]), on)
			if u.closeAt+1 < len(order) {
				b.graph.Connect(on, first(order[u.closeAt+1]))
			}
		}
		if i+1 < len(order) {
			from := lastOf(ids)
			if u.on && u.closeAt > i {
				from = b.phaseStep(ids, PhaseVerify)
			}
			b.graph.Connect(from, first(order[i+1]))
		}
	}
}

// pairLineKeys is, for each number of units the primary has run (0 to all),
// the line of the last release on which the pair stood together with
// replication on (at the start, the lower of the two): an SM/BSM hop into a
// line waits for both members and for replication to be back on, so while
// the pair is split it sees the line of its last meeting.
func (b *builder) pairLineKeys() []int {
	p, s := b.smgr, b.smgrPeer
	keys := make([]int, len(p.units())+1)
	settled := min(lineKey(p.release), lineKey(s.release))
	pr, sr := p.release, s.release
	for _, u := range b.pairOrder() {
		if u.node == p {
			keys[u.unit] = settled
			pr = p.units()[u.unit].to
		} else {
			sr = s.units()[u.unit].to
		}
		if pr == sr {
			settled = lineKey(pr)
		}
	}
	keys[len(keys)-1] = settled
	return keys
}

// pairSettled is the replication_on after which the pair first stands
// together on line or later, "" when it does from the start.
func (b *builder) pairSettled(line string) string {
	p, s := b.smgr, b.smgrPeer
	if catalog.CompareLines(catalog.LineOf(p.release), line) >= 0 && catalog.CompareLines(catalog.LineOf(s.release), line) >= 0 {
		return ""
	}
	order := b.pairOrder()
	pr, sr := p.release, s.release
	for i, u := range order {
		if u.node == p {
			pr = p.units()[u.unit].to
		} else {
			sr = s.units()[u.unit].to
		}
		if pr == sr && catalog.CompareLines(catalog.LineOf(pr), line) >= 0 {
			for _, h := range order {
				if h.on && h.closeAt == i {
					return b.phaseStep(h.node.unitSteps[h.unit], PhaseReplicationOn)
				}
			}
		}
	}
	return ""
}

// phaseStep is the step of phase among a unit's steps, else its last.
func (b *builder) phaseStep(ids []string, phase rollout.Phase) string {
	for _, id := range ids {
		if b.steps[id].Phase == phase {
			return id
		}
	}
	return lastOf(ids)
}

func lastOf(ids []string) string { return ids[len(ids)-1] }
