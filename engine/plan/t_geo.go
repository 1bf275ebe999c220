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
// pair's, switched on its primary around each hop of the pair:
// replication_off in each unit of the primary, before its change, and
// replication_on at the end of it, where it waits for the secondary's hop
// (geoEdges); so both members end every hop on one release with replication
// on before any SM/BSM hop that waits for them. A primary already on its
// target leaves both to the secondary's units. Neither is planned outside a
// pair.
func (b *builder) geoPhase(ns *nodeState, k int, phase rollout.Phase) bool {
	if phase != PhaseReplicationOff && phase != PhaseReplicationOn {
		return true
	}
	if b.smgrPeer == nil || (ns != b.smgr && ns != b.smgrPeer) {
		return false
	}
	owner := b.smgr
	if len(owner.units()) == 0 {
		owner = b.smgrPeer
	}
	return ns == owner
}

// geoEdges orders a geo-redundant pair one member at a time: each unit of the
// secondary waits for the verify of the primary's last unit that goes no
// higher; the replication_on of each unit of the primary waits for the
// secondary's units that go below the primary's next hop; so the pair
// alternates hop by hop (primary first) and never changes both at once.
func (b *builder) geoEdges() {
	p, s := b.smgr, b.smgrPeer
	if s == nil {
		return
	}
	pu, su := p.units(), s.units()
	for j, u := range su {
		if k := lastUnitUpTo(pu, u.to, true); k >= 0 {
			b.graph.Connect(b.phaseStep(p.unitSteps[k], PhaseVerify), s.unitSteps[j][0])
		}
	}
	for k := range pu {
		j := len(su) - 1
		if k+1 < len(pu) {
			j = lastUnitUpTo(su, pu[k+1].to, false)
		}
		if j >= 0 {
			b.graph.Connect(lastOf(s.unitSteps[j]), b.phaseStep(p.unitSteps[k], PhaseReplicationOn))
		}
	}
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

// geoPeerUnit is the secondary's unit that brings it to line or later (the
// unit an SM/BSM hop into line waits for, as it waits for the primary's), -1
// without a pair or such a unit.
func (b *builder) geoPeerUnit(line string) int {
	if b.smgrPeer == nil {
		return -1
	}
	for k, su := range b.smgrPeer.units() {
		if catalog.CompareLines(catalog.LineOf(su.to), line) >= 0 {
			return k
		}
	}
	return -1
}

// lastUnitUpTo is the index of the last unit whose target is at or below
// (orEqual) or strictly below release, -1 when none.
func lastUnitUpTo(us []unit, release string, orEqual bool) int {
	out := -1
	for k, u := range us {
		c := catalog.Compare(u.to, release)
		if c < 0 || (orEqual && c == 0) {
			out = k
		}
	}
	return out
}

func lastOf(ids []string) string { return ids[len(ids)-1] }
