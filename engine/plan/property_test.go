package plan

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/internal/rollout"
)

var (
	smReleases = []string{"6.2.1.0", "6.3.18.0", "7.0.1.0", "7.0.1.3", "7.1.2.0", "7.1.3.8", "8.0.0.0", "8.0.1.2",
		"8.1.2.0", "8.1.3.8", "8.1.3.8", "8.1.3.8", "10.1.0.0", "10.1.3.0", "10.2.0.0", "10.2.0.1"}
	smgrReleases = []string{"7.0.1.0", "7.1.1.0", "7.1.3.2", "8.0.1.0", "8.1.3.8", "10.1.0.0", "10.1.3.0", "10.2.0.1"}
	platforms    = []string{"", "vmware", "vmware", "kvm", "appliance", "software_only", "vmware", "kvm", "gcp", "", "avp", "aws"}
)

// randomFleet builds a random enterprise: 1–3 clusters of 1–6 SMs and 0–3
// BSMs on releases across lines, random SSP, platforms and secondaries (any
// core SM of the enterprise, mostly of the same cluster), BSM core links
// (mostly the default, sometimes one or two core SMs anywhere), random parallel
// and branch_parallel, and an SMGR most of the time (sometimes a
// geo-redundant pair). The enterprise usually
// runs one or two lines, so that the enterprise-wide line rule leaves
// plans to check; BSMs mostly start where some core SM starts, as real
// branches do.
func randomFleet(r *rand.Rand, maxClusters int) *eval.Config {
	target := "10.2.0.1"
	if r.Intn(6) == 0 {
		target = "10.1.3.0"
	}
	c := newConfig(target)
	c.Runbook.Policy.Parallel = 1 + r.Intn(4)
	c.Runbook.Policy.BranchParallel = 1 + r.Intn(3)
	c.Runbook.Policy.MultiHop = r.Intn(10) != 0
	if r.Intn(3) == 0 {
		c.Runbook.Policy.Method = "data_migration"
	}
	if r.Intn(4) != 0 {
		smgr(c, smgrReleases[r.Intn(len(smgrReleases))])
	}
	phases := []rollout.Phase{PhasePrecheck, PhaseBackup, PhaseDrain, PhaseUpgrade, PhaseVerify, PhaseUndrain, PhaseSSP}
	for i := 0; i < r.Intn(3); i++ {
		st := &eval.Step{Name: fmt.Sprintf("user%d", i), Module: "wait", Nodes: []string{"*"}}
		switch r.Intn(3) {
		case 0:
			st.Before = string(phases[r.Intn(len(phases))])
		case 1:
			st.After = string(phases[r.Intn(len(phases))])
		}
		if i > 0 && r.Intn(2) == 0 {
			st.DependsOn = []string{"user0"}
		}
		c.Steps = append(c.Steps, st)
	}
	// The enterprise usually runs one or two lines: pick a small pool.
	pool := []string{smReleases[r.Intn(len(smReleases))], smReleases[r.Intn(len(smReleases))]}
	if r.Intn(4) == 0 {
		pool = append(pool, smReleases[r.Intn(len(smReleases))])
	}
	var cores []*eval.Node
	for ci := 0; ci < 1+r.Intn(maxClusters); ci++ {
		cl := addCluster(c, fmt.Sprintf("c%d", ci))
		nSM := 1 + r.Intn(6)
		for i := 0; i < nSM; i++ {
			n := sm(cl, fmt.Sprintf("c%d-sm%d", ci, i), pool[r.Intn(len(pool))], randomSSP(r))
			n.Platform = platforms[r.Intn(len(platforms))]
			if n.Platform == "avp" || n.Platform == "aws" {
				if r.Intn(5) != 0 {
					n.Platform = "vmware"
				}
			}
		}
		for i := 0; i < r.Intn(4); i++ {
			n := bsm(cl, fmt.Sprintf("c%d-bsm%d", ci, i), pool[r.Intn(len(pool))], randomSSP(r))
			n.Platform = platforms[r.Intn(3)]
		}
		for _, n := range cl.Nodes {
			if r.Intn(3) != 0 && nSM > 1 {
				sec := cl.Nodes[r.Intn(nSM)]
				if sec != n {
					n.Secondary = sec.Name
				}
			}
		}
		cores = append(cores, cl.Nodes[:nSM]...)
	}
	// Some BSMs name their core SMs (one or two, any cluster).
	for _, cl := range c.Clusters {
		for _, n := range cl.Nodes {
			if n.Kind == eval.KindBSM && r.Intn(3) == 0 {
				n.Core = []string{cores[r.Intn(len(cores))].Name}
				if o := cores[r.Intn(len(cores))].Name; r.Intn(2) == 0 && o != n.Core[0] {
					n.Core = append(n.Core, o)
				}
			}
		}
	}
	// Some secondaries in another cluster (split sites).
	for _, n := range cores {
		if r.Intn(5) == 0 && len(cores) > 1 {
			if sec := cores[r.Intn(len(cores))]; sec != n {
				n.Secondary = sec.Name
			}
		}
	}
	// Some System Managers are a geo-redundant pair, its members on one
	// release.
	if c.SMGR != nil && r.Intn(3) == 0 {
		smgrPeer(c, c.SMGR.Release)
	}
	return c
}

func randomSSP(r *rand.Rand) int {
	switch r.Intn(3) {
	case 0:
		return -1
	case 1:
		return 0
	}
	return 99 // at or above any latest SSP in the catalog
}

func TestPropertyRandomFleets(t *testing.T) {
	cat := catalog.Default()
	r := rand.New(rand.NewSource(20261205))
	fleets := 4000
	if testing.Short() {
		fleets = 300
	}
	start := time.Now()
	valid, refusedLines, steps := 0, 0, 0
	for i := 0; i < fleets; i++ {
		c := randomFleet(r, 3)
		p, diags := Compile(c, cat, Options{})
		if errorsOtherThan(diags) {
			if hasRuleAny(diags, guard.ClusterReleases) {
				refusedLines++
			}
			continue
		}
		valid++
		steps += len(p.Steps)
		if err := checkInvariants(c, cat, p); err != nil {
			t.Fatalf("fleet %d: %v\nnodes: %s\ndiags: %v\n%s", i, err, describeFleet(c), rules(diags), dump(p))
		}
	}
	t.Logf("property: %d random fleets (%d valid plans, %d steps checked, %d refused by cluster.releases) in %.1fs",
		fleets, valid, steps, refusedLines, time.Since(start).Seconds())
	if valid < fleets/4 {
		t.Fatalf("only %d of %d fleets gave a valid plan: the generator does not exercise the planner", valid, fleets)
	}
}

func errorsOtherThan(diags hcl.Diagnostics) bool { return diags.HasErrors() }

func hasRuleAny(diags hcl.Diagnostics, rule string) bool {
	for _, d := range diags {
		if RuleOf(d) == rule {
			return true
		}
	}
	return false
}

func describeFleet(c *eval.Config) string {
	s := ""
	for _, n := range c.AllNodes() {
		s += fmt.Sprintf("%s(%s %s ssp=%d %s sec=%s) ", n.Name, n.Kind[:3], n.Release, n.SSP, n.Platform, n.Secondary)
	}
	return s
}
