package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// windowS is the length of a drained window made by window.
const windowS = 1 + 100 + 1

// window returns a node's drained window: drain (1 s), upgrade (100 s),
// undrain (1 s), each after the previous one, after the step after (if any).
func window(cluster, node string, hop int, after ...string) []*Step {
	id := func(phase string) string { return fmt.Sprintf("%s/%s/%d/%s", cluster, node, hop, phase) }
	return []*Step{
		{ID: id("drain"), Node: node, Cluster: cluster, Module: "sm.drain", EstimateS: 1, DependsOn: after},
		{ID: id("upgrade"), Node: node, Cluster: cluster, Module: "sm.upgrade", EstimateS: 100, DependsOn: []string{id("drain")}},
		{ID: id("undrain"), Node: node, Cluster: cluster, Module: "sm.undrain", EstimateS: 1, DependsOn: []string{id("upgrade")}},
	}
}

// TestScheduleCountsCoreSMsEnterpriseWide: parallel bounds core SMs out of
// service across the manifest, not clusters: two core SMs of one cluster run
// their windows together under parallel 2, four SMs of four clusters take
// two rounds, and work outside the windows runs alongside.
func TestScheduleCountsCoreSMsEnterpriseWide(t *testing.T) {
	var steps []*Step
	var nodes []*Node
	for i := range 4 {
		cl, n := fmt.Sprintf("c%d", i/2), fmt.Sprintf("sm%d", i)
		if i >= 2 {
			cl = fmt.Sprintf("c%d", i)
		}
		pre := &Step{ID: cl + "/" + n + "/1/precheck", Node: n, Cluster: cl, Module: "sm.precheck", EstimateS: 10}
		steps = append(append(steps, pre), window(cl, n, 1, pre.ID)...)
		nodes = append(nodes, &Node{Name: n, Kind: eval.KindSM, Cluster: cl})
	}
	for _, tc := range []struct{ parallel, want int }{
		{1, 10 + 4*windowS}, {0, 10 + 4*windowS}, {2, 10 + 2*windowS}, {3, 10 + 2*windowS}, {4, 10 + windowS},
	} {
		if _, d := Schedule(steps, Limits{Parallel: tc.parallel, Nodes: nodes}, nil); d != tc.want {
			t.Errorf("parallel %d: %d s, want %d", tc.parallel, d, tc.want)
		}
	}
	// A node and its secondary never together, whatever parallel allows.
	nodes[0].Secondary, nodes[1].Secondary = "sm1", "sm0"
	if _, d := Schedule(steps, Limits{Parallel: 4, Nodes: nodes}, nil); d != 10+2*windowS {
		t.Errorf("parallel 4 with secondaries: %d s, want %d", d, 10+2*windowS)
	}
}

// TestScheduleBranchWavesAcrossClusters: BSMs of different clusters share
// branch_parallel, and a BSM's window never overlaps one of its core SMs'.
func TestScheduleBranchWavesAcrossClusters(t *testing.T) {
	var steps []*Step
	var nodes []*Node
	for i := range 4 {
		cl, n := fmt.Sprintf("c%d", i), fmt.Sprintf("bsm%d", i)
		steps = append(steps, window(cl, n, 1)...)
		nodes = append(nodes, &Node{Name: n, Kind: eval.KindBSM, Cluster: cl})
	}
	for _, tc := range []struct{ branchParallel, want int }{
		{1, 4 * windowS}, {2, 2 * windowS}, {4, windowS},
	} {
		if _, d := Schedule(steps, Limits{Parallel: 4, BranchParallel: tc.branchParallel, Nodes: nodes}, nil); d != tc.want {
			t.Errorf("branch_parallel %d: %d s, want %d", tc.branchParallel, d, tc.want)
		}
	}
	// bsm0 registers with sm0: their windows never overlap, though the
	// limits would allow it.
	steps = append(steps, window("c0", "sm0", 1)...)
	nodes = append(nodes, &Node{Name: "sm0", Kind: eval.KindSM, Cluster: "c0"})
	nodes[0].Core = []string{"sm0"}
	if _, d := Schedule(steps, Limits{Parallel: 4, BranchParallel: 4, Nodes: nodes}, nil); d != 2*windowS {
		t.Errorf("BSM with its core SM: %d s, want %d", d, 2*windowS)
	}
}

// twoClusters is two clusters of one core SM each, going 10.1.3 → 10.2.0.1.
func twoClusters(parallel int) *eval.Config {
	c := newConfig("10.2.0.1")
	smgr(c, "10.2.0.1")
	sm(addCluster(c, "east"), "sm-e", "10.1.3.0", 99)
	sm(addCluster(c, "west"), "sm-w", "10.1.3.0", 99)
	c.Runbook.Policy.Parallel = parallel
	return c
}

// TestCompileEstimateTwoClusters: the plan's estimate of two clusters of
// one core SM each is the two drained windows one after the other under
// parallel 1, with both nodes' work before the drain (precheck, backup,
// upload) at once, and one window under parallel 2.
func TestCompileEstimateTwoClusters(t *testing.T) {
	est := map[int]int{}
	var before, window, after int
	for _, parallel := range []int{1, 2} {
		p, diags := compile(t, twoClusters(parallel))
		if diags.HasErrors() {
			t.Fatalf("parallel %d: %v", parallel, diags)
		}
		est[parallel] = p.EstimatedDurationS
		before, window, after = parts(p, "sm-e")
	}
	if before == 0 || window == 0 {
		t.Fatalf("sm-e: %d s before its drain, a drained window of %d s", before, window)
	}
	if want := before + 2*window + after; est[1] != want {
		t.Errorf("parallel 1: estimate %d s, want %d (%d s before the drain, two windows of %d s, %d s after)", est[1], want, before, window, after)
	}
	if want := before + window + after; est[2] != want {
		t.Errorf("parallel 2: estimate %d s, want %d", est[2], want)
	}
}

// parts sums a node's estimates before its drain, in its drained window and
// after its undrain.
func parts(p *Plan, node string) (before, window, after int) {
	part := &before
	for _, s := range p.Steps {
		if s.Node != node {
			continue
		}
		if s.Module == "sm.drain" {
			part = &window
		}
		*part += s.EstimateS
		if s.Module == "sm.undrain" {
			part = &after
		}
	}
	return before, window, after
}

// TestWindowTooShortUsesTheSchedule: under parallel 1, two clusters fit a
// window as long as their two drained windows plus one node's work before
// and after its window (the other node's runs meanwhile); one second less
// is window.too_short.
func TestWindowTooShortUsesTheSchedule(t *testing.T) {
	p, diags := compile(t, twoClusters(1))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	before, window, after := parts(p, "sm-e")
	need := before + 2*window + after
	st := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lenS int
		want bool
	}{{need, false}, {need - 1, true}} {
		c := twoClusters(1)
		c.Runbook.Window = &eval.Window{Start: st, End: st.Add(time.Duration(tc.lenS) * time.Second), Range: rng("window")}
		_, diags := compile(t, c)
		if got := hasRule(diags, guard.WindowTooShort, hcl.DiagError); got != tc.want {
			t.Errorf("window of %d s: window.too_short %v, want %v: %v", tc.lenS, got, tc.want, diags)
		}
	}
}
