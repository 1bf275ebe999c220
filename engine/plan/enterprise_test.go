package plan

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// The vendor's "Session Manager cluster" is every core SM under one System
// Manager: these tests put the nodes of one rule in different manifest
// clusters, where a per-cluster planner would see no problem.

func diagOf(diags hcl.Diagnostics, rule, node string) *hcl.Diagnostic {
	for _, d := range diags {
		if v, ok := d.Extra.(Verdict); ok && v.Rule == rule && (node == "" || v.Node == node) {
			return d
		}
	}
	return nil
}

func pathOf(p *Plan, name string) string {
	for _, n := range p.Nodes {
		if n.Name == name {
			return strings.Join(n.Path, " ")
		}
	}
	return ""
}

// Two clusters, one on 8.1.3.8 and one on 10.1.3.0, going to 10.2 with
// parallel = 2: never three lines among the enterprise's core SMs, never more
// than two core SMs out of service, never a node with its secondary, and the
// detour through 10.1 says it is the line rule.
func TestEnterpriseLinesAcrossClustersWithParallel(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.Parallel = 2
	old, cur := addCluster(c, "old"), addCluster(c, "new")
	sm(old, "sm-a", "8.1.3.8", 99).Secondary = "sm-b"
	sm(old, "sm-b", "8.1.3.8", 99).Secondary = "sm-a"
	sm(cur, "sm-c", "10.1.3.0", 99).Secondary = "sm-d"
	sm(cur, "sm-d", "10.1.3.0", 99).Secondary = "sm-c"
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
	if d := diagOf(diags, guard.PolicyParallel, ""); d == nil || d.Severity != hcl.DiagWarning {
		t.Fatalf("want a policy.parallel warning, got %v", rules(diags))
	}
	d := diagOf(diags, guard.PathMultiHop, "")
	if d == nil || !strings.Contains(d.Detail, "10.1.3.0: line rule") {
		t.Fatalf("the detour through 10.1 must say it is the line rule: %v", d)
	}
	// parallel = 2 is used: two core SMs (not a secondary pair) share a
	// drained window somewhere.
	if !overlapping(p, "sm-a", "sm-c") && !overlapping(p, "sm-a", "sm-d") && !overlapping(p, "sm-b", "sm-c") && !overlapping(p, "sm-b", "sm-d") {
		t.Fatalf("parallel = 2 never drains two core SMs together:\n%s", dump(p))
	}
}

// overlapping says whether some drained window of a may overlap one of b:
// neither waits for the other's undrain.
func overlapping(p *Plan, a, b string) bool {
	for _, da := range p.Steps {
		if da.Node != a || !da.Planned(PhaseDrain) {
			continue
		}
		for _, db := range p.Steps {
			if db.Node != b || !db.Planned(PhaseDrain) {
				continue
			}
			if !reaches(p, da.ID, db.ID) && !reaches(p, db.ID, da.ID) {
				return true
			}
		}
	}
	return false
}

// reaches says whether step to depends, directly or not, on step from.
func reaches(p *Plan, from, to string) bool {
	seen := map[string]bool{}
	var walk func(id string) bool
	walk = func(id string) bool {
		if id == from {
			return true
		}
		if seen[id] {
			return false
		}
		seen[id] = true
		for _, d := range p.StepByID(id).DependsOn {
			if walk(d) {
				return true
			}
		}
		return false
	}
	return walk(to)
}

// With the default parallel = 1, one core SM of the enterprise at a time,
// whatever its cluster.
func TestEnterpriseOneAtATimeAcrossClusters(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "a"), "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(addCluster(c, "b"), "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	p, diags := compile(t, c)
	if diags.HasErrors() || diagOf(diags, guard.PolicyParallel, "") != nil {
		t.Fatalf("diagnostics: %v", rules(diags))
	}
	if overlapping(p, "sm-a", "sm-b") {
		t.Fatalf("two core SMs of different clusters drained together:\n%s", dump(p))
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
}

// A secondary pair split across two clusters is accepted, and with
// parallel = 4 the pair is still never drained together.
func TestSecondaryInAnotherClusterRespected(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.Parallel = 4
	a, b := addCluster(c, "a"), addCluster(c, "b")
	sm(a, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(b, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	sm(a, "sm-c", "10.1.3.0", 99).Secondary = "sm-d"
	sm(b, "sm-d", "10.1.3.0", 99).Secondary = "sm-c"
	p, diags := compile(t, c)
	if diags.HasErrors() || diagOf(diags, guard.ClusterSecondary, "") != nil {
		t.Fatalf("diagnostics: %v", diags)
	}
	if overlapping(p, "sm-a", "sm-b") || overlapping(p, "sm-c", "sm-d") {
		t.Fatalf("a node drained with its secondary:\n%s", dump(p))
	}
	if !overlapping(p, "sm-a", "sm-c") {
		t.Fatalf("parallel = 4 never used:\n%s", dump(p))
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
}

// BSMs are not in the data replication ring: a BSM on 8.1 beside core SMs on
// 10.1 follows them straight to 10.2, with no extra hop through 10.1.
func TestBSMTakesNoExtraHopForTheLineRule(t *testing.T) {
	c := newConfig("10.2.0.1")
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(cl, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	bsm(cl, "bsm-a", "8.1.3.8", 99)
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	if got := pathOf(p, "bsm-a"); got != "8.1.3.8 10.2.0.1" {
		t.Fatalf("bsm-a path %q, want straight to 10.2.0.1", got)
	}
	if d := diagOf(diags, guard.PathMultiHop, "bsm-a"); d != nil {
		t.Fatalf("unexpected %s", d.Summary)
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
}

// A 6.2 SM goes through 8.1 (the vendor's "6.x to 8.1.x first"), and the
// path.multi_hop detail says it is the path rule.
func TestSixXThroughEightOne(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "6.2.1.0", -1)
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	if got := pathOf(p, "sm-a"); got != "6.2.1.0 8.1.3.8 10.2.0.1" {
		t.Fatalf("path %q", got)
	}
	d := diagOf(diags, guard.PathMultiHop, "sm-a")
	if d == nil || !strings.Contains(d.Detail, "8.1.3.8: path rule: the catalog has no hop from 6.2 to 10.2 (from 6.2 it supports: 8.1)") {
		t.Fatalf("multi_hop detail does not say why: %v", d)
	}
}

// An SM on 10.1.3.0 on AWS IaaS runs the software-only offer: accepted.
func TestAWSOnTenOneAccepted(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99).Platform = "aws"
	_, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
}

// One 8.1 SM moving to 10.2 in each of two clusters: one Cassandra ring, so
// cluster.uds_split.
func TestUDSSplitAcrossClusters(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "a"), "sm-a", "8.1.3.8", 99)
	sm(addCluster(c, "b"), "sm-b", "8.1.3.8", 99)
	_, diags := compile(t, c)
	d := diagOf(diags, guard.ClusterUDSSplit, "sm-a")
	if d == nil || !strings.Contains(d.Summary, "sm-a, sm-b") {
		t.Fatalf("want cluster.uds_split naming both, got %v", rules(diags))
	}
	// One mover while another core SM stays on 8.1 (pinned): the split
	// stays after the plan, so it warns too; alone, it does not.
	c = newConfig("10.2.0.1")
	sm(addCluster(c, "a"), "sm-a", "8.1.3.8", 99)
	sm(addCluster(c, "b"), "sm-b", "8.1.3.8", 99).Target = "8.1.3.8"
	if _, diags = compile(t, c); diagOf(diags, guard.ClusterUDSSplit, "") == nil {
		t.Fatalf("pinned 8.1 SM: want cluster.uds_split, got %v", rules(diags))
	}
	c = newConfig("10.2.0.1")
	sm(addCluster(c, "a"), "sm-a", "8.1.3.8", 99)
	if _, diags = compile(t, c); diagOf(diags, guard.ClusterUDSSplit, "") != nil {
		t.Fatalf("a single SM splits nothing: %v", rules(diags))
	}
}

// cluster.size counts the core SMs of every cluster together.
func TestClusterSizeCountsTheEnterprise(t *testing.T) {
	c := newConfig("10.2.0.1")
	for i := 0; i < 29; i++ {
		sm(addCluster(c, "c"+string(rune('a'+i))), "sm-"+string(rune('a'+i)), "10.2.0.1", 99)
	}
	_, diags := compile(t, c)
	if diagOf(diags, guard.ClusterSize, "") == nil {
		t.Fatalf("29 one-SM clusters: want cluster.size, got %v", rules(diags))
	}
}

// A single SM without a secondary and max_active_calls = 5: its phones lose
// service and the remaining calls are exposed; both are said.
func TestNoSecondaryAndCallsPolicy(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.MaxActiveCalls = 5
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
	_, diags := compile(t, c)
	if diagOf(diags, guard.ClusterNoSecondary, "sm-a") == nil || diagOf(diags, guard.CallsPolicy, "") == nil {
		t.Fatalf("want cluster.no_secondary and calls.policy, got %v", rules(diags))
	}
	// A node the plan does not drain costs nothing.
	c = newConfig("10.2.0.1")
	c.Runbook.Policy.MaxActiveCalls = 5
	sm(addCluster(c, "core"), "sm-a", "10.2.0.1", 99)
	if _, diags = compile(t, c); len(diags) != 0 {
		t.Fatalf("nothing drained, yet %v", rules(diags))
	}
}

// A BSM in a branch-only cluster names its core SMs in another cluster: it
// changes only after they reached its target, the plan document lists its
// core, and a default BSM lists its cluster's core SMs.
func TestBSMCoreLinksAcrossClusters(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.BranchParallel = 4
	hq, br := addCluster(c, "hq"), addCluster(c, "branches")
	sm(hq, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(hq, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	bsm(br, "bsm-x", "10.1.3.0", 99).Core = []string{"sm-a", "sm-b"}
	bsm(hq, "bsm-y", "10.1.3.0", 99)
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	for _, n := range p.Nodes {
		if (n.Name == "bsm-x" || n.Name == "bsm-y") && strings.Join(n.Core, ",") != "sm-a,sm-b" {
			t.Errorf("%s core %v, want sm-a,sm-b", n.Name, n.Core)
		}
	}
	for _, core := range []string{"hq/sm-a/1/upgrade", "hq/sm-b/1/upgrade"} {
		if !reaches(p, core, "branches/bsm-x/1/upgrade") {
			t.Fatalf("bsm-x changes before %s:\n%s", core, dump(p))
		}
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
}
