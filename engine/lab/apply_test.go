package lab

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/driver"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
	rssh "github.com/runbook-dev/runbook/modules/ssh"
)

// eventLog collects the executor's events.
type eventLog struct {
	mu sync.Mutex
	ev []record.Event
}

func (l *eventLog) Event(e record.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, e)
}

// applyExample runs the real apply of an example manifest against a lab, as
// `runbook apply --lab --auto-approve` wires it, and returns the lab and the
// run's result.
func applyExample(t *testing.T, path string, tweak func(*eval.Config)) (*Lab, *exec.Result, error, *eventLog) {
	t.Helper()
	cfg, diags := eval.Load(eval.LoadOptions{Path: path})
	if diags.HasErrors() {
		t.Fatalf("load %s: %v", path, diags)
	}
	cfg.Backup.Store = t.TempDir()  // never into the examples folder
	StartWindowNow(cfg, time.Now()) // as apply --lab does
	if tweak != nil {
		tweak(cfg)
	}
	l, err := Start(t.Context(), cfg, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	drv := driver.New(catalog.Default(), sm.DefaultProfile())
	compile := func() *plan.Plan {
		p, diags := plan.Compile(cfg, catalog.Default(), plan.Options{Commands: drv.Commands})
		if diags.HasErrors() {
			t.Fatalf("plan: %v", diags)
		}
		return p
	}
	p := compile()
	added, err := l.SynthesizeMissing(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) > 0 {
		p = compile()
		if again, _ := l.SynthesizeMissing(cfg, p); len(again) > 0 {
			t.Fatalf("the recompiled plan still lacks media: %+v", again)
		}
	}
	if len(l.Synthesized()) == 0 {
		t.Fatalf("%s: no media synthesized", path)
	}
	log := &eventLog{}
	x := exec.New(exec.Options{
		Dialer:   l.Dialer(rssh.NewDialer(rssh.Options{NoAgent: true})),
		Driver:   drv,
		Observer: log,
		Redactor: record.NewRedactor(cfg.Secrets...),
		Limits:   exec.Limits{Poll: 50 * time.Millisecond, ReconnectInitial: 50 * time.Millisecond, ReconnectMax: 500 * time.Millisecond},
	})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := x.Run(ctx, p, cfg)
	return l, res, err, log
}

func TestApplyExampleAgainstTheLab(t *testing.T) {
	l, res, err, log := applyExample(t, "../../examples/core-cluster", nil)
	if err != nil {
		for _, e := range log.ev {
			t.Logf("%s %s %s %s %s %s", e.Type, e.Node, e.Step, e.Status, e.Command, e.Message)
		}
		t.Fatalf("apply against the lab: %v", err)
	}
	if len(res.Failed) > 0 {
		t.Fatalf("failed nodes: %v", res.Failed)
	}
	for _, node := range l.Nodes() {
		snap, err := l.Show(node)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Release != "10.2.0.1" || snap.ServiceState != "accepting" || snap.Count("upgrade") != 1 {
			t.Errorf("%s after apply: release %s, %s, %d upgrades", node, snap.Release, snap.ServiceState, snap.Count("upgrade"))
		}
	}
	// Every connection went to the lab: no event names a manifest host.
	for _, e := range log.ev {
		if strings.Contains(e.Message, "example.net") && strings.Contains(e.Message, "connect") {
			t.Errorf("a connection to a manifest host: %+v", e)
		}
	}
}

func TestApplyRehearsesLabFaults(t *testing.T) {
	l, res, err, _ := applyExample(t, "../../examples/core-cluster", func(cfg *eval.Config) {
		cfg.Lab = &eval.Lab{Nodes: map[string]*eval.LabNode{
			"sm-dal": {Disconnect: "upgrade", ActiveCalls: 4},
			"sm-chi": {Fail: "upgrade"},
		}}
	})
	if err == nil {
		t.Fatal("a failing upgrade did not halt the run")
	}
	dal, _ := l.Show("sm-dal")
	if dal.Release != "10.2.0.1" || dal.DroppedCalls != 0 || dal.Reboots == 0 {
		t.Errorf("sm-dal (disconnect, calls) = release %s, %d dropped calls, %d reboots", dal.Release, dal.DroppedCalls, dal.Reboots)
	}
	chi, _ := l.Show("sm-chi")
	if chi.Release != "10.1.3.0" || chi.ServiceState != "accepting" {
		t.Errorf("sm-chi (failed upgrade) = release %s, %s", chi.Release, chi.ServiceState)
	}
	if len(res.Failed) != 1 || res.Failed[0] != "sm-chi" {
		t.Errorf("failed nodes = %v", res.Failed)
	}
}

// TestEveryExampleRehearsesInTheLab is the promise of examples/README.md:
// `runbook apply --lab` runs every shipped example (but the one refused on
// purpose) to the end, with media synthesized (absent files and absent
// artifact blocks alike), jump hosts ignored and no connection leaving
// 127.0.0.1.
func TestEveryExampleRehearsesInTheLab(t *testing.T) {
	for _, path := range []string{"../../examples/mixed-fleet", "testdata/undeclared"} {
		t.Run(path, func(t *testing.T) { rehearse(t, path) })
	}
}

// TestEnterpriseExampleRehearsesInTheLab is apart because the enterprise
// example alone uses can() in a variable validation, which the manifest
// evaluation must provide.
func TestEnterpriseExampleRehearsesInTheLab(t *testing.T) {
	rehearse(t, "../../examples/enterprise")
}

// rehearse applies a manifest in the lab and checks that it succeeded and
// left every node in service with no call dropped.
func rehearse(t *testing.T, path string) {
	t.Helper()
	l, res, err, log := applyExample(t, path, nil)
	if err != nil {
		for _, e := range log.ev {
			if e.Type == record.EventStepEnd && e.Status == record.StepFailed || e.Type == record.EventRunEnd {
				t.Logf("%s %s %s %s: %s", e.Type, e.Node, e.Step, e.Status, e.Message)
			}
		}
		t.Fatalf("apply: %v", err)
	}
	if len(res.Failed) > 0 || len(res.Incomplete) > 0 {
		t.Fatalf("failed %v, incomplete %v", res.Failed, res.Incomplete)
	}
	for _, node := range l.Nodes() {
		if snap, _ := l.Show(node); snap.ServiceState != "accepting" || snap.DroppedCalls != 0 {
			t.Errorf("%s left %s with %d dropped calls", node, snap.ServiceState, snap.DroppedCalls)
		}
	}
}
