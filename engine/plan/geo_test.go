package plan

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
)

// smgrPeer adds the geo-redundant secondary "smgr-b" to c (whose SMGR is the
// primary).
func smgrPeer(c *eval.Config, release string) *eval.Node {
	c.SMGR.Geo = "primary"
	c.SMGRSecondary = &eval.Node{Name: "smgr-b", Kind: eval.KindSMGR, Cluster: "smgr", Host: "smgr-b.example.net",
		Release: release, SSP: -1, Geo: "secondary", Range: rng("smgr-b"), Attrs: map[string]hcl.Range{}}
	return c.SMGRSecondary
}

// A geo-redundant pair is upgraded one member at a time, primary first (each
// change of the secondary waits for the primary's verify of that hop), each
// hop of the pair between a replication_off before the primary's change and
// a replication_on (on the primary) after the secondary's verify; every SM
// hop into a line waits for both and for replication to be back on.
func TestGeoPairOrder(t *testing.T) {
	for _, from := range []string{"10.1.3.0", "8.1.3.8", "8.0.1.2"} {
		t.Run(from, func(t *testing.T) {
			c := newConfig("10.2.0.1")
			smgr(c, from)
			smgrPeer(c, from)
			cl := addCluster(c, "core")
			sm(cl, "sm-a", from, 99).Secondary = "sm-b"
			sm(cl, "sm-b", from, 99).Secondary = "sm-a"
			p, diags := compile(t, c)
			if diags.HasErrors() {
				t.Fatalf("refused: %v", rules(diags))
			}
			if err := checkInvariants(c, catalog.Default(), p); err != nil {
				t.Fatalf("%v\n%s", err, dump(p))
			}
			geo := map[string]string{}
			for _, n := range p.Nodes {
				geo[n.Name] = n.Geo
			}
			if geo["smgr"] != "primary" || geo["smgr-b"] != "secondary" || geo["sm-a"] != "" {
				t.Fatalf("plan nodes' geo: %v", geo)
			}
			var off, on []*Step
			var changes, verifies = map[string][]*Step{}, map[string][]*Step{}
			for _, s := range p.Steps {
				switch {
				case s.Phase == PhaseReplicationOff:
					off = append(off, s)
				case s.Phase == PhaseReplicationOn:
					on = append(on, s)
				case s.Phase == PhaseVerify:
					verifies[s.Node] = append(verifies[s.Node], s)
				case s.Phase.Spec().Installs():
					changes[s.Node] = append(changes[s.Node], s)
				}
			}
			hops := 0
			for _, s := range p.Steps {
				if s.Node == "smgr" && s.Phase == PhaseVerify {
					hops++
				}
			}
			if len(off) != hops || len(on) != hops || off[0].Node != "smgr" || on[len(on)-1].Node != "smgr" {
				t.Fatalf("want one replication_off and one replication_on per hop, on smgr, got %v / %v:\n%s", off, on, dump(p))
			}
			if len(changes["smgr"]) == 0 || len(changes["smgr-b"]) == 0 {
				t.Fatalf("both members must change:\n%s", dump(p))
			}
			// Each hop of the pair is bracketed by its replication_off and
			// replication_on: both members' changes to that release run
			// after the one and before the other.
			for _, node := range []string{"smgr", "smgr-b"} {
				for _, s := range changes[node] {
					i := slices.IndexFunc(off, func(o *Step) bool { return o.Hop.To == s.Hop.To })
					if i < 0 || !reaches(p, off[i].ID, s.ID) || !reaches(p, s.ID, on[i].ID) {
						t.Errorf("%s is not between its hop's replication_off and replication_on", s.ID)
					}
				}
			}
			for _, s := range changes["smgr-b"] {
				for _, v := range verifies["smgr"] {
					if catalog.Compare(v.Hop.To, s.Hop.To) <= 0 && !reaches(p, v.ID, s.ID) {
						t.Errorf("%s does not wait for the primary's %s", s.ID, v.ID)
					}
				}
			}
			// One member at a time: every two changes of the pair are ordered.
			for _, a := range changes["smgr"] {
				for _, b := range changes["smgr-b"] {
					if !reaches(p, a.ID, b.ID) && !reaches(p, b.ID, a.ID) {
						t.Errorf("%s and %s may run at once", a.ID, b.ID)
					}
				}
			}
			// SM hops into a line newer than the pair's start wait for both.
			for _, node := range []string{"sm-a", "sm-b"} {
				for _, s := range changes[node] {
					line := catalog.LineOf(s.Hop.To)
					if s.Hop.Index == 0 || catalog.CompareLines(line, catalog.LineOf(from)) <= 0 {
						continue
					}
					for _, member := range []string{"smgr", "smgr-b"} {
						i := slices.IndexFunc(verifies[member], func(v *Step) bool {
							return catalog.CompareLines(catalog.LineOf(v.Hop.To), line) >= 0
						})
						if i < 0 || !reaches(p, verifies[member][i].ID, s.ID) {
							t.Errorf("%s (to %s) does not wait for %s on %s", s.ID, s.Hop.To, member, line)
						}
					}
					if i := slices.IndexFunc(on, func(o *Step) bool { return catalog.CompareLines(catalog.LineOf(o.Hop.To), line) >= 0 }); i < 0 || !reaches(p, on[i].ID, s.ID) {
						t.Errorf("%s runs before replication is back on", s.ID)
					}
				}
			}
			if t.Failed() {
				t.Log(dump(p))
			}
		})
	}
}

// Without a pair there is no replication step (the examples' plans stay as
// they are).
func TestNoReplicationWithoutPair(t *testing.T) {
	c := newConfig("10.2.0.1")
	smgr(c, "10.1.3.0").Geo = "primary"
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(cl, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", rules(diags))
	}
	for _, s := range p.Steps {
		if s.Phase == PhaseReplicationOff || s.Phase == PhaseReplicationOn {
			t.Fatalf("%s in a plan without a geo-redundant pair", s.ID)
		}
	}
}

// A malformed pair is refused and its secondary gets no step.
func TestGeoPairMalformed(t *testing.T) {
	for _, tc := range []struct{ primary, secondary, target string }{
		{"", "", ""}, {"primary", "primary", ""}, {"secondary", "secondary", ""}, {"primary", "secondary", "10.1.3.0"},
	} {
		t.Run(fmt.Sprint(tc), func(t *testing.T) {
			c := newConfig("10.2.0.1")
			smgr(c, "10.1.3.0")
			peer := smgrPeer(c, "10.1.3.0")
			c.SMGR.Geo, peer.Geo = tc.primary, tc.secondary
			if tc.target != "" {
				c.SMGR.Target, c.SMGR.Attrs["target"] = "10.2.0.1", rng("smgr")
				peer.Target = tc.target
				peer.Attrs["target"] = rng("smgr-b")
			}
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
			sm(cl, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
			p, diags := compile(t, c)
			if !hasRule(diags, "smgr.geo", hcl.DiagError) {
				t.Fatalf("no smgr.geo error: %v", rules(diags))
			}
			for _, s := range p.Steps {
				if s.Node == "smgr-b" {
					t.Fatalf("%s planned for a malformed pair", s.ID)
				}
			}
		})
	}
}
