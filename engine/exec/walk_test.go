package exec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
)

func coreCluster(w *world) (*plan.Plan, *eval.Config) {
	w.add("sm1", "core", eval.KindSM, "10.1.3.0")
	w.add("sm2", "core", eval.KindSM, "10.1.3.0")
	w.add("bsm1", "core", eval.KindBSM, "10.1.3.0")
	return buildPlan([]spec{
		{"sm1", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", "sm2"},
		{"sm2", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", "sm1"},
		{"bsm1", "core", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
	})
}

func TestRunUpgradesEveryNodeOnce(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	j := &memJournal{}
	res, err := New(w.options(j)).Run(context.Background(), p, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := sorted(res.Succeeded); !slices.Equal(got, []string{"bsm1", "sm1", "sm2"}) {
		t.Fatalf("succeeded = %v", got)
	}
	for name, n := range w.nodes {
		if n.release != "10.2.0.1" || n.state != sm.StateAccepting || n.upgrades != 1 {
			t.Errorf("%s: release %s state %s upgrades %d", name, n.release, n.state, n.upgrades)
		}
		if w.dials[name] != 1 {
			t.Errorf("%s dialled %d times, want one connection", name, w.dials[name])
		}
	}
	if w.maxOOS["core"] != 1 {
		t.Errorf("at most %d nodes out of service at once, want 1", w.maxOOS["core"])
	}
	if len(j.find("run_end", "")) != 1 || j.find("run_end", "")[0].Status != "succeeded" {
		t.Errorf("run_end event missing or not succeeded")
	}
}

func TestFailedStepSkipsDependentsAndReportsRootCauseOnly(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	w.nodes["sm1"].fail["backup"] = "backupSM: disk error"
	res, err := New(w.options(&memJournal{})).Run(context.Background(), p, cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v, want ErrHalted", err)
	}
	nes := nodeErrors(t, err)
	if len(nes) != 1 || nes[0].Node != "sm1" || nes[0].Step != "core/sm1/1/backup" || nes[0].Guard != "" {
		t.Fatalf("node errors = %v, want only the sm1 backup", nes)
	}
	for _, id := range []string{"core/sm1/1/drain", "core/sm1/1/upgrade", "core/sm1/1/verify", "core/sm1/1/undrain", "core/sm2/1/drain"} {
		if res.Steps[id] != StatusSkipped {
			t.Errorf("%s = %q, want skipped", id, res.Steps[id])
		}
	}
	for name, n := range w.nodes {
		if n.release != "10.1.3.0" || n.state != sm.StateAccepting {
			t.Errorf("%s changed: %s %s", name, n.release, n.state)
		}
	}
	if !slices.Equal(res.Failed, []string{"sm1"}) {
		t.Errorf("failed = %v", res.Failed)
	}
}

// parallel bounds the core SMs out of service at once across the whole
// manifest, not the clusters worked on: four clusters whose plan does not
// order their windows against each other still never have more than
// parallel core SMs draining at once.
func TestParallelBoundsCoreSMsOutOfServiceEnterpriseWide(t *testing.T) {
	for _, par := range []int{1, 2} {
		t.Run(fmt.Sprint(par), func(t *testing.T) {
			w := newWorld(t)
			var specs []spec
			for i := range 4 {
				c := fmt.Sprintf("c%d", i)
				for k := range 2 {
					n := fmt.Sprintf("%s-sm%d", c, k)
					w.add(n, c, eval.KindSM, "10.1.3.0")
					specs = append(specs, spec{n, c, eval.KindSM, "10.1.3.0", "10.2.0.1", ""})
				}
			}
			p, cfg := buildPlan(specs)
			o := w.options(nil)
			o.Parallel = par
			if _, err := New(o).Run(context.Background(), p, cfg); err != nil {
				t.Fatal(err)
			}
			// The bound is the rule; how many overlap below it is the
			// scheduler's business on a loaded machine.
			if w.maxCore > par || w.maxCore < 1 {
				t.Fatalf("%d core SMs out of service at once, parallel %d", w.maxCore, par)
			}
			for name, n := range w.nodes {
				if n.release != "10.2.0.1" {
					t.Errorf("%s not upgraded", name)
				}
			}
		})
	}
}

// A plan document edited to drain two core SMs of different clusters at
// once, with parallel = 1: the backstop serialises them; with a core SM of
// another cluster already out of service (an operator's doing), the drain is
// refused by cluster.out_of_service.
func TestOutOfServiceIsEnterpriseWide(t *testing.T) {
	t.Run("serialised", func(t *testing.T) {
		w := newWorld(t)
		w.add("sm-a", "a", eval.KindSM, "10.1.3.0")
		w.add("sm-b", "b", eval.KindSM, "10.1.3.0")
		p, cfg := buildPlan([]spec{
			{"sm-a", "a", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			{"sm-b", "b", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
		})
		cfg.Runbook.Policy.Parallel = 1
		if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
			t.Fatal(err)
		}
		if w.maxCore != 1 || w.together["sm-a+sm-b"] {
			t.Fatalf("%d core SMs out of service at once (parallel 1)", w.maxCore)
		}
	})
	t.Run("refused", func(t *testing.T) {
		w := newWorld(t)
		w.add("sm-a", "a", eval.KindSM, "10.1.3.0")
		w.add("sm-b", "b", eval.KindSM, "10.2.0.1").state = sm.StateDenying
		p, cfg := buildPlan([]spec{
			{"sm-a", "a", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			{"sm-b", "b", eval.KindSM, "10.2.0.1", "10.2.0.1", ""},
		})
		p.Steps, p.Order = dropNode(p, "sm-b") // nothing to do on sm-b
		cfg.Runbook.Policy.Parallel = 1
		_, err := New(w.options(nil)).Run(context.Background(), p, cfg)
		nes := nodeErrors(t, err)
		if len(nes) != 1 || nes[0].Guard != guard.OutOfService || nes[0].Step != "a/sm-a/1/drain" {
			t.Fatalf("errors = %v", nes)
		}
		if w.nodes["sm-a"].state != sm.StateAccepting || w.nodes["sm-a"].release != "10.1.3.0" {
			t.Fatal("sm-a was touched")
		}
	})
}

// A BSM registers with a core SM of another cluster (core): it is never
// drained while that SM is, and is refused while it is out of service. A
// node and its secondary in another cluster are never out together either,
// whatever parallel allows.
func TestBranchAndSecondaryLinksAcrossClusters(t *testing.T) {
	t.Run("core serialised", func(t *testing.T) {
		w := newWorld(t)
		w.add("sm-a", "a", eval.KindSM, "10.1.3.0")
		w.add("bsm-b", "b", eval.KindBSM, "10.1.3.0")
		p, cfg := buildPlan([]spec{
			{"sm-a", "a", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			{"bsm-b", "b", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
		})
		p.Nodes[1].Core = []string{"sm-a"}
		if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
			t.Fatal(err)
		}
		if w.together["bsm-b+sm-a"] {
			t.Fatal("bsm-b drained while its core SM sm-a was")
		}
	})
	t.Run("core refused", func(t *testing.T) {
		w := newWorld(t)
		w.add("sm-a", "a", eval.KindSM, "10.2.0.1").state = sm.StateDenying
		w.add("bsm-b", "b", eval.KindBSM, "10.1.3.0")
		p, cfg := buildPlan([]spec{
			{"sm-a", "a", eval.KindSM, "10.2.0.1", "10.2.0.1", ""},
			{"bsm-b", "b", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
		})
		p.Steps, p.Order = dropNode(p, "sm-a")
		p.Nodes[1].Core = []string{"sm-a"}
		_, err := New(w.options(nil)).Run(context.Background(), p, cfg)
		nes := nodeErrors(t, err)
		if len(nes) != 1 || nes[0].Guard != guard.OutOfService || nes[0].Step != "b/bsm-b/1/drain" {
			t.Fatalf("errors = %v", nes)
		}
		if w.nodes["bsm-b"].release != "10.1.3.0" {
			t.Fatal("bsm-b was changed")
		}
	})
	t.Run("secondary", func(t *testing.T) {
		w := newWorld(t)
		w.add("sm-a", "a", eval.KindSM, "10.1.3.0")
		w.add("sm-b", "b", eval.KindSM, "10.1.3.0")
		p, cfg := buildPlan([]spec{
			{"sm-a", "a", eval.KindSM, "10.1.3.0", "10.2.0.1", "sm-b"},
			{"sm-b", "b", eval.KindSM, "10.1.3.0", "10.2.0.1", "sm-a"},
		})
		cfg.Runbook.Policy.Parallel = 2
		if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
			t.Fatal(err)
		}
		if w.together["sm-a+sm-b"] {
			t.Fatal("sm-a and its secondary sm-b were out of service together")
		}
	})
}

// dropNode removes a node's steps from a fake plan (it has nothing to do).
func dropNode(p *plan.Plan, node string) ([]*plan.Step, []string) {
	var steps []*plan.Step
	var order []string
	for _, s := range p.Steps {
		if s.Node != node {
			steps = append(steps, s)
			order = append(order, s.ID)
		}
	}
	return steps, order
}

// A plan that forgot to serialise the windows: the executor still never has
// two nodes of a cluster out of service, nor a BSM with a core SM.
func TestOutOfServiceRuleHoldsWhatThePlanForgot(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	for _, s := range p.Steps {
		if s.Phase == plan.PhaseDrain {
			s.DependsOn = s.DependsOn[:1] // drop the cross-node edge
		}
	}
	if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
		t.Fatal(err)
	}
	if w.maxOOS["core"] != 1 || w.bsmWithSM {
		t.Fatalf("max out of service %d, BSM with SM %v", w.maxOOS["core"], w.bsmWithSM)
	}
	for name, n := range w.nodes {
		if n.release != "10.2.0.1" || n.state != sm.StateAccepting {
			t.Errorf("%s: %s %s", name, n.release, n.state)
		}
	}
}

// A core SM already denying before the run (an operator's doing) blocks the
// drain of another SM: the run refuses with cluster.out_of_service.
func TestOutOfServiceRuleRefusesWhenAnotherNodeIsDown(t *testing.T) {
	w := newWorld(t)
	w.add("sm1", "core", eval.KindSM, "10.1.3.0")
	w.add("sm2", "core", eval.KindSM, "10.2.0.1").state = sm.StateDenying
	p, cfg := buildPlan([]spec{{"sm1", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", ""}})
	cfg.Clusters[0].Nodes = append(cfg.Clusters[0].Nodes, &eval.Node{Name: "sm2", Kind: eval.KindSM, Cluster: "core", Release: "10.2.0.1", SSP: -1})
	p.Nodes = append(p.Nodes, &plan.Node{Name: "sm2", Kind: eval.KindSM, Cluster: "core", Release: "10.2.0.1", SSP: -1, Target: "10.2.0.1", Path: []string{"10.2.0.1"}})
	cfg.Runbook.Policy.Parallel = 1
	_, err := New(w.options(nil)).Run(context.Background(), p, cfg)
	nes := nodeErrors(t, err)
	if len(nes) != 1 || nes[0].Guard != guard.OutOfService || nes[0].Step != "core/sm1/1/drain" {
		t.Fatalf("errors = %v", nes)
	}
	if w.nodes["sm1"].state != sm.StateAccepting || w.nodes["sm1"].release != "10.1.3.0" {
		t.Fatalf("sm1 was touched")
	}
}

// halt: other clusters stop taking new nodes; KeepGoing lets them finish.
func TestHaltStopsOtherClustersUnlessKeepGoing(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			w := newWorld(t)
			w.add("a1", "a", eval.KindSM, "10.1.3.0").fail["precheck"] = "refused"
			w.add("b1", "b", eval.KindSM, "10.1.3.0").blockOn = "precheck"
			w.add("b2", "b", eval.KindSM, "10.1.3.0")
			b1 := w.nodes["b1"]
			b1.block, b1.started = make(chan struct{}), make(chan struct{})
			p, cfg := buildPlan([]spec{
				{"a1", "a", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
				{"b1", "b", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
				{"b2", "b", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			})
			o := w.options(nil)
			o.KeepGoing = keep
			// b1 stays in its precheck until a1's failure is in.
			o.Observer = ObserverFunc(func(e record.Event) {
				if e.Type == record.EventStepEnd && e.Node == "a1" && e.Status == StatusFailed {
					close(b1.block)
				}
			})
			res, _ := New(o).Run(context.Background(), p, cfg)
			upgraded := w.nodes["b2"].release == "10.2.0.1"
			if upgraded != keep {
				t.Fatalf("keep going %v: b2 upgraded %v (steps %v)", keep, upgraded, res.Steps)
			}
		})
	}
}

// BSMs go out of service up to branch_parallel at once, never with a core SM.
func TestBranchParallelBound(t *testing.T) {
	w := newWorld(t)
	specs := []spec{{"sm1", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", ""}}
	w.add("sm1", "core", eval.KindSM, "10.1.3.0")
	for i := range 4 {
		n := fmt.Sprintf("bsm%d", i)
		w.add(n, "core", eval.KindBSM, "10.1.3.0")
		specs = append(specs, spec{n, "core", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""})
	}
	p, cfg := buildPlan(specs)
	for _, s := range p.Steps {
		if s.Phase == plan.PhaseDrain && s.Node != "sm1" {
			s.DependsOn = s.DependsOn[:1] // branches free to go together
		}
	}
	cfg.Runbook.Policy.BranchParallel = 2
	if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
		t.Fatal(err)
	}
	if w.maxOOS["core"] > 2 || w.bsmWithSM {
		t.Fatalf("max out of service %d, BSM with SM %v", w.maxOOS["core"], w.bsmWithSM)
	}
	for name, n := range w.nodes {
		if n.release != "10.2.0.1" || n.state != sm.StateAccepting {
			t.Errorf("%s: %s %s", name, n.release, n.state)
		}
	}
}

// failingJournal fails from its n-th append on.
type failingJournal struct {
	memJournal
	n int
}

func (j *failingJournal) Append(e record.Event) error {
	if len(j.all()) >= j.n {
		return errors.New("disk full")
	}
	return j.memJournal.Append(e)
}

// A journal that cannot be written stops the run from starting anything
// new: an unrecorded change is worse than a halted one.
func TestJournalFailureHalts(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	_, err := New(w.options(&failingJournal{n: 12})).Run(context.Background(), p, cfg)
	if !errors.Is(err, ErrHalted) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if w.nodes["sm2"].upgrades != 0 || w.nodes["bsm1"].upgrades != 0 {
		t.Fatal("the run went on without a journal")
	}
}

// A branch node fails while another is out of service with it
// (branch_parallel 2): the cluster halts, but the healthy one finishes its
// window and is back in service, never left drained.
func TestHaltLetsTheNodeOutOfServiceFinish(t *testing.T) {
	w := newWorld(t)
	b0 := w.add("bsm0", "core", eval.KindBSM, "10.1.3.0")
	b0.fail["upgrade"] = "installer crashed"
	b1 := w.add("bsm1", "core", eval.KindBSM, "10.1.3.0")
	b1.blockOn, b1.block, b1.started = "upgrade", make(chan struct{}), make(chan struct{})
	// bsm0 fails only once bsm1 is out of service and upgrading; bsm1
	// goes on only once bsm0's failure is in.
	b0.blockOn, b0.block, b0.started = "upgrade", b1.started, make(chan struct{})
	w.add("bsm2", "core", eval.KindBSM, "10.1.3.0")
	p, cfg := buildPlan([]spec{
		{"bsm0", "core", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
		{"bsm1", "core", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
		{"bsm2", "core", eval.KindBSM, "10.1.3.0", "10.2.0.1", ""},
	})
	for _, s := range p.Steps {
		if s.Phase == plan.PhaseDrain && s.Node == "bsm1" {
			s.DependsOn = s.DependsOn[:1] // bsm1 may go out with bsm0
		}
	}
	cfg.Runbook.Policy.BranchParallel = 2
	o := w.options(nil)
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Node == "bsm0" && e.Status == StatusFailed {
			close(b1.block)
		}
	})
	_, err := New(o).Run(context.Background(), p, cfg)
	if nes := nodeErrors(t, err); len(nes) != 1 || nes[0].Node != "bsm0" {
		t.Fatalf("errors %v", nes)
	}
	if b1.release != "10.2.0.1" || b1.state != sm.StateAccepting {
		t.Fatalf("bsm1: %s %s", b1.release, b1.state)
	}
	if w.nodes["bsm2"].upgrades != 0 {
		t.Fatal("a new node started after the failure")
	}
}
