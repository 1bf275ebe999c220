package exec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm"
)

// stepClock is a clock tests move forward by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testNow is the controller's time in a test: the fake nodes report the
// real clock, which time.skew compares with it.
func testNow() time.Time { return time.Now().UTC().Truncate(time.Second) }

// Outside the window (before it opens, or after it closed) apply refuses
// before it reads or changes any node, naming the window and the time now.
func TestWindowRefusesApplyBeforeAnyNode(t *testing.T) {
	windowNow := testNow()
	cases := map[string]*eval.Window{
		"opens in three weeks": {Start: windowNow.Add(21 * 24 * time.Hour), End: windowNow.Add(21*24*time.Hour + 4*time.Hour)},
		"closed an hour ago":   {Start: windowNow.Add(-5 * time.Hour), End: windowNow.Add(-time.Hour)},
	}
	for name, win := range cases {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			p, cfg := coreCluster(w)
			cfg.Runbook.Window = win
			j := &memJournal{}
			o := w.options(j)
			o.Clock = fixedClock{windowNow}
			res, err := New(o).Run(context.Background(), p, cfg)
			var we *WindowError
			if !errors.As(err, &we) {
				t.Fatalf("err = %v, want a *WindowError", err)
			}
			for _, want := range []string{win.Start.Format(time.RFC3339), win.End.Format(time.RFC3339), "now is " + windowNow.Format(time.RFC3339)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not name %q: %v", want, err)
				}
			}
			if res.OK() {
				t.Errorf("the refused run reports success")
			}
			for n, d := range w.dials {
				if d != 0 {
					t.Errorf("%s was connected to %d time(s) outside the window", n, d)
				}
			}
			if len(w.history) != 0 {
				t.Errorf("commands ran outside the window: %v", w.history)
			}
			if !hasVerdict(j, guard.WindowClosed, record.VerdictFail) {
				t.Errorf("no failing window.closed verdict journalled")
			}
		})
	}
}

// --ignore-window lets the run go on outside the window; the warning is
// journalled (and so in the record) with the window's guard id.
func TestIgnoreWindowWarnsAndRecords(t *testing.T) {
	windowNow := testNow()
	w := newWorld(t)
	p, cfg := coreCluster(w)
	cfg.Runbook.Window = &eval.Window{Start: windowNow.Add(21 * 24 * time.Hour), End: windowNow.Add(21*24*time.Hour + 4*time.Hour)}
	j := &memJournal{}
	o := w.options(j)
	o.Clock = fixedClock{windowNow}
	o.IgnoreWindow = true
	res, err := New(o).Run(context.Background(), p, cfg)
	if err != nil || !res.OK() {
		t.Fatalf("Run with IgnoreWindow: %v", err)
	}
	warned := false
	for _, e := range j.all() {
		warned = warned || (e.Type == record.EventWarning && e.Guard == guard.WindowClosed && strings.Contains(e.Message, "--ignore-window"))
	}
	if !warned {
		t.Errorf("no warning journalled for the ignored window")
	}
	if !hasVerdict(j, guard.WindowClosed, record.VerdictWarn) || hasVerdict(j, guard.WindowClosed, record.VerdictFail) {
		t.Errorf("want window.closed warn verdicts and no fail")
	}
}

// A dry-run outside the window keeps working and says apply would refuse.
func TestDryRunOutsideWindowReportsTheVerdict(t *testing.T) {
	windowNow := testNow()
	w := newWorld(t)
	p, cfg := coreCluster(w)
	cfg.Runbook.Window = &eval.Window{Start: windowNow.Add(21 * 24 * time.Hour), End: windowNow.Add(21*24*time.Hour + 4*time.Hour)}
	j := &memJournal{}
	o := w.options(j)
	o.Clock = fixedClock{windowNow}
	o.DryRun, o.Offline = true, true
	if _, err := New(o).Run(context.Background(), p, cfg); err != nil {
		t.Fatalf("dry-run outside the window: %v", err)
	}
	found := false
	for _, e := range j.find(record.EventGuard, guard.WindowClosed) {
		found = found || (e.Verdict == record.VerdictWarn && strings.Contains(e.Message, "apply would refuse"))
	}
	if !found {
		t.Errorf("the dry-run does not report that apply would refuse")
	}
}

// System Manager has no drain: its installer is checked against the
// window all the same, and refused when the node no longer fits.
func TestWindowCheckedBeforeSystemManagerChange(t *testing.T) {
	windowNow := testNow()
	w := newWorld(t)
	w.add("smgr", "smgr", eval.KindSMGR, "10.1.3.0")
	p, cfg := buildPlan([]spec{{"smgr", "smgr", eval.KindSMGR, "10.1.3.0", "10.2.0.1", ""}})
	dropPhases(p, plan.PhaseDrain, plan.PhaseUndrain)
	// precheck, backup, upgrade, verify: 60 s each; 90 s left when the
	// upgrade would start, the node needs 120 s.
	cfg.Runbook.Window = &eval.Window{Start: windowNow.Add(-time.Hour), End: windowNow.Add(90 * time.Second)}
	j := &memJournal{}
	o := w.options(j)
	o.Clock = fixedClock{windowNow}
	_, err := New(o).Run(context.Background(), p, cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v, want the run halted by window.closed", err)
	}
	nes := nodeErrors(t, err)
	if len(nes) != 1 || nes[0].Guard != guard.WindowClosed || nes[0].Step != "smgr/smgr/1/upgrade" {
		t.Fatalf("errors = %v, want window.closed at smgr/smgr/1/upgrade", nes)
	}
	if n := w.node("smgr"); n.upgrades != 0 || n.release != "10.1.3.0" {
		t.Errorf("smgr upgraded (%d) although the window had no room left", n.upgrades)
	}
}

// The window is checked again before every node-changing step, not only at
// the first drain: an upgrade that no longer fits after a long drain is
// refused, and the node is put back in service.
func TestWindowRecheckedBeforeEveryChange(t *testing.T) {
	windowNow := testNow()
	w := newWorld(t)
	p, cfg := coreCluster(w)
	cfg.Runbook.Window = &eval.Window{Start: windowNow.Add(-time.Hour), End: windowNow.Add(2 * time.Hour)}
	j := &memJournal{}
	o := w.options(j)
	clock := &stepClock{t: windowNow}
	o.Clock = clock
	o.Limits.MaxClockSkew = 24 * time.Hour // the test moves the controller's clock
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Step == "core/sm1/1/drain" {
			clock.add(2*time.Hour - time.Minute) // the drain took almost the whole window
		}
	})
	res, err := New(o).Run(context.Background(), p, cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v, want the run halted by window.closed", err)
	}
	nes := nodeErrors(t, err)
	if len(nes) != 1 || nes[0].Guard != guard.WindowClosed || nes[0].Step != "core/sm1/1/upgrade" {
		t.Fatalf("errors = %v, want window.closed at core/sm1/1/upgrade", nes)
	}
	n := w.node("sm1")
	if n.upgrades != 0 || n.state != sm.StateAccepting {
		t.Errorf("sm1: %d upgrade(s), %s; want none, back in service", n.upgrades, n.state)
	}
	if !slices.Contains(res.Failed, "sm1") {
		t.Errorf("failed = %v", res.Failed)
	}
}

func hasVerdict(j *memJournal, guard, verdict string) bool {
	for _, e := range j.find(record.EventGuard, guard) {
		if e.Verdict == verdict {
			return true
		}
	}
	return false
}

// dropPhases removes a plan's steps of the given phases, linking their
// dependents to their dependencies.
func dropPhases(p *plan.Plan, phases ...rollout.Phase) {
	gone := map[string][]string{}
	var keep []*plan.Step
	for _, s := range p.Steps {
		if slices.Contains(phases, s.Phase) {
			gone[s.ID] = s.DependsOn
			continue
		}
		keep = append(keep, s)
	}
	for _, s := range keep {
		var deps []string
		for _, d := range s.DependsOn {
			for {
				up, ok := gone[d]
				if !ok {
					break
				}
				if len(up) == 0 {
					d = ""
					break
				}
				d = up[0]
			}
			if d != "" {
				deps = append(deps, d)
			}
		}
		s.DependsOn = deps
	}
	p.Steps = keep
	p.Order = slices.DeleteFunc(p.Order, func(id string) bool { _, ok := gone[id]; return ok })
}
