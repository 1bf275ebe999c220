package plan

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// feasible decides by exhaustive search, independently of the planner,
// whether an enterprise without SMGR can reach its targets while at most
// max_lines lines coexist among the core SMs of all clusters together (BSMs
// do not count), no BSM crosses to another line before the core SMs of its
// cluster reached its target, and no BSM patches ahead of their line. Every node may take any supported path (up to altExtra extra
// cross-line hops); SSP passes change no line and so do not matter here.
func feasible(cat *catalog.Catalog, c *eval.Config, target string) bool {
	type nodePaths struct {
		bsm     bool
		cluster string
		paths   [][]string // release sequences
	}
	var ns []nodePaths
	var all []*eval.Node
	for _, cl := range c.Clusters {
		all = append(all, cl.Nodes...)
	}
	for _, n := range all {
		ps, err := cat.Paths(catalog.ProductSM, n.Release, target, n.Platform, altExtra)
		if err != nil {
			return false
		}
		np := nodePaths{bsm: n.Kind == eval.KindBSM, cluster: n.Cluster}
		for _, p := range ps {
			np.paths = append(np.paths, p.Releases(n.Release))
		}
		ns = append(ns, np)
	}
	// state: per node, (path index, position); path index -1 = not chosen yet (at start)
	type st struct{ path, pos []int }
	lines := func(s st) int {
		set := map[string]bool{}
		for i, n := range ns {
			if n.bsm {
				continue
			}
			r := n.paths[0][0]
			if s.path[i] >= 0 {
				r = n.paths[s.path[i]][s.pos[i]]
			}
			set[catalog.LineOf(r)] = true
		}
		return len(set)
	}
	rel := func(s st, i int) string {
		if s.path[i] < 0 {
			return ns[i].paths[0][0]
		}
		return ns[i].paths[s.path[i]][s.pos[i]]
	}
	seen := map[string]bool{}
	var dfs func(s st) bool
	dfs = func(s st) bool {
		if lines(s) > cat.Rules.MaxLines {
			return false
		}
		k := fmt.Sprint(s.path, s.pos)
		if seen[k] {
			return false
		}
		seen[k] = true
		done := true
		for i := range ns {
			if rel(s, i) != target {
				done = false
			}
		}
		if done {
			return true
		}
		for i, n := range ns {
			for pi, p := range n.paths {
				if s.path[i] >= 0 && s.path[i] != pi {
					continue
				}
				if s.path[i] < 0 && len(p) < 2 {
					continue
				}
				pos := 0
				if s.path[i] >= 0 {
					pos = s.pos[i]
				}
				if pos+1 >= len(p) {
					continue
				}
				to := p[pos+1]
				if n.bsm {
					ok := true
					for j, o := range ns {
						cross := catalog.LineOf(p[pos]) != catalog.LineOf(to)
						if !o.bsm && o.cluster == n.cluster && (catalog.CompareLines(catalog.LineOf(rel(s, j)), catalog.LineOf(to)) < 0 || (cross && catalog.Compare(rel(s, j), target) < 0)) {
							ok = false
						}
					}
					if !ok {
						continue
					}
				}
				ns2 := st{path: append([]int(nil), s.path...), pos: append([]int(nil), s.pos...)}
				ns2.path[i], ns2.pos[i] = pi, pos+1
				if dfs(ns2) {
					return true
				}
			}
		}
		return false
	}
	s := st{path: make([]int, len(ns)), pos: make([]int, len(ns))}
	for i := range s.path {
		s.path[i] = -1
	}
	return dfs(s)
}

func TestBruteForceRefusalsAreReal(t *testing.T) {
	cat := catalog.Default()
	r := rand.New(rand.NewSource(7))
	releases := []string{"6.3.18.0", "7.0.1.3", "7.1.2.0", "7.1.3.8", "8.0.1.2", "8.1.2.0", "8.1.3.8", "10.1.0.0", "10.1.3.0", "10.2.0.1"}
	start := time.Now()
	fleets, refused, agreed := 0, 0, 0
	for fleets < 1500 {
		c := newConfig("10.2.0.1")
		// One or two clusters: the rules are enterprise-wide, so a node
		// of one cluster constrains the others.
		cls := []*eval.Cluster{addCluster(c, "a")}
		if r.Intn(2) == 0 {
			cls = append(cls, addCluster(c, "b"))
		}
		nSM := 1 + r.Intn(3)
		for i := 0; i < nSM; i++ {
			sm(cls[r.Intn(len(cls))], fmt.Sprintf("sm%d", i), releases[r.Intn(len(releases))], 99)
		}
		for i := 0; i < r.Intn(6-nSM); i++ {
			bsm(cls[r.Intn(len(cls))], fmt.Sprintf("bsm%d", i), releases[r.Intn(len(releases))], 99)
		}
		p, diags := Compile(c, cat, Options{})
		if hasRuleAny(diags, guard.BSMAboveCore) || hasRuleAny(diags, guard.PathUnsupported) || hasRuleAny(diags, guard.PathDowngrade) || hasRuleAny(diags, guard.PathUnknownRelease) {
			continue
		}
		fleets++
		want := feasible(cat, c, "10.2.0.1")
		got := !hasRuleAny(diags, guard.ClusterReleases)
		if got != want {
			t.Fatalf("fleet %s: planner feasible=%v, brute force feasible=%v; diags %v", describeFleet(c), got, want, rules(diags))
		}
		if !got {
			refused++
		} else if err := checkInvariants(c, cat, p); err != nil {
			t.Fatalf("fleet %s: %v", describeFleet(c), err)
		}
		agreed++
	}
	t.Logf("brute force: %d enterprises of ≤5 nodes in 1-2 clusters agree with the planner (%d refused by cluster.releases) in %.1fs",
		agreed, refused, time.Since(start).Seconds())
	if refused == 0 || refused == fleets {
		t.Fatalf("degenerate sample: %d of %d refused", refused, fleets)
	}
}
