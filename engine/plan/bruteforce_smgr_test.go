package plan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// feasibleWithSMGR decides by exhaustive search, independently of the
// planner, whether an enterprise (one or two clusters) and its System Manager can reach their
// targets under the System Manager rules of the README's "Planning": an SM/BSM hop needs SMGR on
// its line or newer; SMGR's move into smgr_ssp_target needs every SM/BSM that
// is on smgr_ssp_from or later at that moment (whatever it started on) to
// carry the latest SSP of the release it is on; a hop that requires the SSP needs it; an SSP pass may be
// installed on any release that has one; at most max_lines lines among the
// core SMs of all clusters; a BSM crosses lines only once the core SMs of its
// cluster reached its target, and patches only on their line; a node takes at most one SSP pass (the plan's
// contract: the SSP pass is hop 0). With a geo-redundant pair (cfg.SMGRSecondary)
// the pair's rules hold too: a member changes only while replication is off,
// which is switched back on only with both members on one release; the
// secondary goes to a release only once the primary is on it or later (the
// primary's changes come first); an SM/BSM hop into a line needs both members
// on that line or newer with replication switched back on there (at the
// start, both members on it).
func feasibleWithSMGR(cat *catalog.Catalog, c *eval.Config, smgrTarget string) bool {
	var all []*eval.Node
	for _, cl := range c.Clusters {
		all = append(all, cl.Nodes...)
	}
	type node struct {
		bsm, rule1 bool
		cluster    string
		paths      [][]catalog.Step
		start      string
	}
	hasSSP := func(r string) bool { _, ok := cat.LatestSSP(catalog.ProductSM, r); return ok }
	var ns []node
	for _, n := range all {
		ps, err := cat.Paths(catalog.ProductSM, n.Release, c.Runbook.Target, n.Platform, altExtra)
		if err != nil {
			return false
		}
		nd := node{bsm: n.Kind == eval.KindBSM, cluster: n.Cluster, start: n.Release,
			rule1: catalog.CompareLines(catalog.LineOf(n.Release), cat.Rules.SMGRSSPFrom) >= 0}
		for _, p := range ps {
			nd.paths = append(nd.paths, p.Steps)
		}
		ns = append(ns, nd)
	}
	sp, err := cat.Path(catalog.ProductSMGR, c.SMGR.Release, smgrTarget, "", true)
	if err != nil {
		return false
	}
	var peer *catalog.Path
	if c.SMGRSecondary != nil {
		pp, err := cat.Path(catalog.ProductSMGR, c.SMGRSecondary.Release, smgrTarget, "", true)
		if err != nil {
			return false
		}
		peer = &pp
	}
	type st struct {
		path, pos  []int
		ssp, used  []bool
		smgr, peer int
		replOff    bool
		settled    string // line of the pair's last replication_on (its start: the lower)
	}
	rel := func(s st, i int) string {
		if s.pos[i] == 0 {
			return ns[i].start
		}
		return ns[i].paths[s.path[i]][s.pos[i]-1].To
	}
	smgrLine := func(s st) string {
		if s.smgr == 0 {
			return catalog.LineOf(c.SMGR.Release)
		}
		return catalog.LineOf(sp.Steps[s.smgr-1].To)
	}
	smgrRel := func(s st) string {
		if s.smgr == 0 {
			return c.SMGR.Release
		}
		return sp.Steps[s.smgr-1].To
	}
	peerRel := func(s st) string {
		if s.peer == 0 {
			return c.SMGRSecondary.Release
		}
		return peer.Steps[s.peer-1].To
	}
	clone := func(s st) st {
		return st{append([]int(nil), s.path...), append([]int(nil), s.pos...), append([]bool(nil), s.ssp...), append([]bool(nil), s.used...), s.smgr, s.peer, s.replOff, s.settled}
	}
	seen := map[string]bool{}
	var dfs func(s st) bool
	dfs = func(s st) bool {
		lines := map[string]bool{}
		done := s.smgr == len(sp.Steps) && (peer == nil || (s.peer == len(peer.Steps) && !s.replOff))
		for i := range ns {
			if !ns[i].bsm {
				lines[catalog.LineOf(rel(s, i))] = true
			}
			if rel(s, i) != c.Runbook.Target {
				done = false
			}
		}
		if len(lines) > cat.Rules.MaxLines {
			return false
		}
		if done {
			return true
		}
		k := fmt.Sprint(s)
		if seen[k] {
			return false
		}
		seen[k] = true
		if peer != nil {
			// Replication off at any time; back on with both on one release.
			if !s.replOff || smgrRel(s) == peerRel(s) {
				n := clone(s)
				n.replOff = !s.replOff
				if s.replOff {
					n.settled = catalog.LineOf(smgrRel(s))
				}
				if dfs(n) {
					return true
				}
			}
			if s.replOff && s.peer < len(peer.Steps) && catalog.Compare(smgrRel(s), peer.Steps[s.peer].To) >= 0 {
				n := clone(s)
				n.peer++
				if dfs(n) {
					return true
				}
			}
		}
		if s.smgr < len(sp.Steps) && (peer == nil || s.replOff) {
			h := sp.Steps[s.smgr]
			ok := true
			if catalog.CompareLines(catalog.LineOf(h.From), cat.Rules.SMGRSSPTarget) < 0 && catalog.CompareLines(catalog.LineOf(h.To), cat.Rules.SMGRSSPTarget) >= 0 {
				for i := range ns {
					// The release the node is on now, not the one it started on.
					if (ns[i].rule1 || catalog.CompareLines(catalog.LineOf(rel(s, i)), cat.Rules.SMGRSSPFrom) >= 0) && !s.ssp[i] {
						ok = false
					}
				}
			}
			if ok {
				n := clone(s)
				n.smgr++
				if dfs(n) {
					return true
				}
			}
		}
		for i, nd := range ns {
			if !s.ssp[i] && !s.used[i] && hasSSP(rel(s, i)) {
				n := clone(s)
				n.ssp[i], n.used[i] = true, true
				if dfs(n) {
					return true
				}
			}
			for pi, p := range nd.paths {
				if (s.pos[i] > 0 && s.path[i] != pi) || s.pos[i] >= len(p) {
					continue
				}
				h := p[s.pos[i]]
				if h.From != rel(s, i) {
					continue
				}
				if catalog.CompareLines(smgrLine(s), catalog.LineOf(h.To)) < 0 || (h.RequiresSSP && !s.ssp[i]) {
					continue
				}
				if peer != nil && catalog.CompareLines(s.settled, catalog.LineOf(h.To)) < 0 {
					continue
				}
				if nd.bsm {
					blocked := false
					for j, o := range ns {
						if !o.bsm && o.cluster == nd.cluster && (catalog.CompareLines(catalog.LineOf(rel(s, j)), catalog.LineOf(h.To)) < 0 ||
							(!h.Patch && catalog.Compare(rel(s, j), c.Runbook.Target) < 0)) {
							blocked = true
						}
					}
					if blocked {
						continue
					}
				}
				n := clone(s)
				n.path[i], n.pos[i] = pi, s.pos[i]+1
				n.ssp[i] = !hasSSP(h.To)
				if dfs(n) {
					return true
				}
			}
		}
		return false
	}
	s := st{path: make([]int, len(ns)), pos: make([]int, len(ns)), ssp: make([]bool, len(ns)), used: make([]bool, len(ns))}
	if peer != nil {
		s.settled = catalog.LineOf(c.SMGR.Release)
		if l := catalog.LineOf(c.SMGRSecondary.Release); catalog.CompareLines(l, s.settled) < 0 {
			s.settled = l
		}
	}
	for i, n := range all {
		lvl, ok := cat.LatestSSP(catalog.ProductSM, n.Release)
		s.ssp[i] = !ok || n.SSP >= lvl
	}
	return dfs(s)
}

func TestBruteForceWithSMGR(t *testing.T) {
	cat := catalog.Default()
	r := rand.New(rand.NewSource(11))
	releases := []string{"7.0.1.3", "7.1.2.0", "7.1.3.8", "8.0.1.2", "8.1.2.0", "8.1.3.8", "10.1.0.0", "10.1.3.0", "10.2.0.0", "10.2.0.1"}
	smgrs := []string{"7.0.1.0", "7.1.3.2", "8.0.1.0", "8.1.3.8", "10.1.0.0", "10.1.3.0", "10.2.0.1"}
	start := time.Now()
	want := 1500
	if testing.Short() {
		want = 300
	}
	fleets, refused, geo := 0, 0, 0
	var limits []string
	for tries := 0; fleets < want && tries < 20000; tries++ {
		c := newConfig("10.2.0.1")
		smgr(c, smgrs[r.Intn(len(smgrs))])
		// A third of them carry a geo-redundant pair, its members on one
		// release or on two.
		if r.Intn(3) == 0 {
			rel := c.SMGR.Release
			if r.Intn(2) == 0 {
				rel = smgrs[r.Intn(len(smgrs))]
			}
			smgrPeer(c, rel)
		}
		cls := []*eval.Cluster{addCluster(c, "a")}
		if r.Intn(2) == 0 {
			cls = append(cls, addCluster(c, "b"))
		}
		nSM := 1 + r.Intn(3)
		ssps := []int{-1, 99}
		for i := 0; i < nSM; i++ {
			sm(cls[r.Intn(len(cls))], fmt.Sprintf("sm%d", i), releases[r.Intn(len(releases))], ssps[r.Intn(2)])
		}
		for i := 0; i < r.Intn(5-nSM); i++ {
			bsm(cls[r.Intn(len(cls))], fmt.Sprintf("bsm%d", i), releases[r.Intn(len(releases))], ssps[r.Intn(2)])
		}
		p, diags := Compile(c, cat, Options{})
		if hasRuleAny(diags, guard.BSMAboveCore) || hasRuleAny(diags, guard.PathUnsupported) || hasRuleAny(diags, guard.PathDowngrade) || hasRuleAny(diags, guard.PathUnknownRelease) {
			continue
		}
		fleets++
		if c.SMGRSecondary != nil {
			geo++
		}
		got := !hasRuleAny(diags, guard.ClusterReleases) && !hasRuleAny(diags, guard.OrderSMGRFirst) && !hasRuleAny(diags, guard.SMGRGeo) && !hasRuleAny(diags, guard.PlanCycle)
		feasible := feasibleWithSMGR(cat, c, p.Nodes[0].Target)
		if got && !feasible {
			t.Fatalf("planner found an order the exhaustive search says cannot exist: %s %v", describeFleet(c), rules(diags))
		}
		if !got && feasible {
			limits = append(limits, describeFleet(c)+" "+strings.Join(rules(diags), ","))
		}
		if !got {
			refused++
		} else if err := checkInvariants(c, cat, p); err != nil {
			t.Fatalf("%s: %v", describeFleet(c), err)
		}
	}
	t.Logf("brute force with SMGR: %d enterprises of ≤4 nodes in 1-2 clusters + SMGR, %d of them with a geo-redundant pair (%d refused, %d refused although an order exists) in %.1fs",
		fleets, geo, refused, len(limits), time.Since(start).Seconds())
	for i, l := range limits {
		if i < 5 {
			t.Logf("refused but feasible: %s", l)
		}
	}
	if len(limits) > 0 {
		t.Fail()
	}
}
