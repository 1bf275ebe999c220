package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// bigFleet is a full enterprise: 28 core SMs in two clusters plus BSMs on
// two lines.
func bigFleet(oldLine, newRelease string) *eval.Config {
	c := newConfig("10.2.0.1")
	smgr(c, "8.1.3.8")
	for ci := 0; ci < 2; ci++ {
		cl := addCluster(c, fmt.Sprintf("c%d", ci))
		for i := 0; i < 14; i++ {
			rel := oldLine
			if i%2 == 1 {
				rel = newRelease
			}
			sm(cl, fmt.Sprintf("c%d-sm%02d", ci, i), rel, -1)
		}
		for i := 0; i < 3; i++ {
			bsm(cl, fmt.Sprintf("c%d-bsm%d", ci, i), oldLine, -1)
		}
	}
	return c
}

func TestLargeClusters(t *testing.T) {
	cat := catalog.Default()
	// 7.0 must pass 10.1: the 10.1 nodes wait until every 7.0 node is on
	// 10.1, then all go to 10.2.
	c := bigFleet("7.0.1.3", "10.1.0.0")
	p, diags := Compile(c, cat, Options{})
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	if err := checkInvariants(c, cat, p); err != nil {
		t.Fatal(err)
	}
	t.Logf("28 SMs + 6 BSMs: %d steps, %d s estimated", len(p.Steps), p.EstimatedDurationS)
	// 7.0 beside 10.2: every 7.0 node must pass 10.1 while 10.2 runs: refused.
	_, diags = Compile(bigFleet("7.0.1.3", "10.2.0.1"), cat, Options{})
	if !hasRuleAny(diags, guard.ClusterReleases) {
		t.Fatalf("want cluster.releases, got %v", rules(diags))
	}
}

func BenchmarkCompileEnterprise(b *testing.B) {
	cat := catalog.Default()
	c := bigFleet("7.0.1.3", "10.1.0.0")
	for i := 0; i < b.N; i++ {
		Compile(c, cat, Options{})
	}
}

func BenchmarkCompileRefused(b *testing.B) {
	cat := catalog.Default()
	c := bigFleet("7.0.1.3", "10.2.0.1")
	for i := 0; i < b.N; i++ {
		Compile(c, cat, Options{})
	}
}

// TestManyClassesStaySmall: 28 SMs on distinct releases and SSP levels of two
// lines that cannot move without a third; the refusal must come from a
// complete search, not from the state budget.
func TestManyClassesStaySmall(t *testing.T) {
	c := newConfig("10.2.0.1")
	smgr(c, "10.2.0.1")
	cl := addCluster(c, "big")
	for i := 0; i < 28; i++ {
		rel := fmt.Sprintf("8.1.%d.%d", i%3, i)
		if i%2 == 1 {
			rel = fmt.Sprintf("7.0.0.%d", i)
		}
		sm(cl, fmt.Sprintf("sm%02d", i), rel, i%3-1)
	}
	_, diags := Compile(c, catalog.Default(), Options{})
	for _, d := range diags {
		if RuleOf(d) == guard.ClusterReleases {
			if strings.Contains(d.Summary, "search stopped") {
				t.Fatalf("search ran out of budget: %s", d.Summary)
			}
			return
		}
	}
	t.Fatalf("want cluster.releases, got %v", rules(diags))
}

// bigEnterprise is 28 core SMs in four clusters (secondary pairs across
// clusters) and 500 BSMs, all on 8.1.3.8 with its SSP, and System Manager.
func bigEnterprise(parallel, branchParallel int) *eval.Config {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.Parallel, c.Runbook.Policy.BranchParallel = parallel, branchParallel
	smgr(c, "8.1.3.8")
	var cls []*eval.Cluster
	for ci := 0; ci < 4; ci++ {
		cls = append(cls, addCluster(c, fmt.Sprintf("site%d", ci)))
	}
	for i := 0; i < 28; i++ {
		n := sm(cls[i%4], fmt.Sprintf("sm%02d", i), "8.1.3.8", 99)
		n.Secondary = fmt.Sprintf("sm%02d", i^1)
	}
	for i := 0; i < 500; i++ {
		bsm(cls[i%4], fmt.Sprintf("bsm%03d", i), "8.1.3.8", 99)
	}
	return c
}

func TestBigEnterpriseWithBranches(t *testing.T) {
	cat := catalog.Default()
	for _, par := range [][2]int{{1, 1}, {2, 8}} {
		c := bigEnterprise(par[0], par[1])
		p, diags := Compile(c, cat, Options{})
		if diags.HasErrors() {
			t.Fatalf("refused: %v", diags)
		}
		if err := checkInvariants(c, cat, p); err != nil {
			t.Fatal(err)
		}
		t.Logf("28 SMs + 500 BSMs, parallel %d, branch_parallel %d: %d steps, %d s estimated", par[0], par[1], len(p.Steps), p.EstimatedDurationS)
	}
}
