package exec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Every runtime guard the registry places around a phase has its check here,
// and every check here is such a guard: the registry alone says what runs.
func TestChecksMatchRegistry(t *testing.T) {
	for _, g := range guard.Rules {
		hooked := len(g.Before)+len(g.After) > 0
		if _, ok := checks[g.ID]; hooked && !ok {
			t.Errorf("%s runs around a phase but has no check", g.ID)
		}
	}
	for id := range checks {
		g, ok := guard.Lookup(id)
		if !ok || len(g.Before)+len(g.After) == 0 {
			t.Errorf("check %s is not a runtime guard of a phase in the registry", id)
		}
	}
}

// unmetMod runs the fake phase module, then reports its task unmet.
type unmetMod struct {
	fmod
	kind string
}

func (m unmetMod) Run(ctx context.Context, c modules.Conn, t modules.Task) (modules.Outcome, error) {
	out, err := m.fmod.Run(ctx, c, t)
	if err != nil {
		return out, err
	}
	return out, &sm.Unmet{Kind: m.kind, Node: t.Node, Detail: "seen unmet"}
}

// What a module saw unmet is an observation: the guard of its kind gives
// the one verdict (journalled, with its id on the node's error); nothing in
// the module names a guard.
func TestUnmetObservationJudgedByItsGuard(t *testing.T) {
	cases := []struct{ module, kind, guard, step string }{
		{"sm.restore", sm.ObsArchive, guard.BackupVerify, "core/sm1/1/restore"},
		{"sm.upgrade", sm.ObsRelease, guard.VerifyRelease, "core/sm1/1/upgrade"},
		{"sm.verify", sm.ObsServices, guard.VerifyServices, "core/sm1/1/verify"},
		{"sm.drain", sm.ObsActiveCalls, "", ""}, // the node did drain: calls.active passes
	}
	for _, c := range cases {
		t.Run(c.module, func(t *testing.T) {
			w := newWorld(t)
			p, cfg := coreCluster(w)
			j := &memJournal{}
			o := w.options(j)
			drv(o).mods[c.module] = unmetMod{fmod{c.module}, c.kind}
			_, err := New(o).Run(context.Background(), p, cfg)
			if c.guard == "" {
				if err != nil {
					t.Fatalf("run failed: %v", err)
				}
				if n := len(j.find(record.EventGuard, guard.CallsActive)); n != 3 {
					t.Fatalf("%d calls.active verdicts, want one per drain", n)
				}
				return
			}
			nes := nodeErrors(t, err)
			if len(nes) != 1 || nes[0].Guard != c.guard || nes[0].Step != c.step {
				t.Fatalf("errors = %+v, want %s at %s", nes, c.guard, c.step)
			}
			fails := 0
			for _, e := range j.find(record.EventGuard, c.guard) {
				if e.Step == c.step && e.Verdict == record.VerdictFail {
					fails++
				}
			}
			if fails != 1 {
				t.Fatalf("%d failing %s verdicts at %s, want 1", fails, c.guard, c.step)
			}
		})
	}
}

// An unmet observation that no guard of the phase judges still fails the
// step: silence is never a pass.
func TestUnjudgedObservationFailsTheStep(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	o := w.options(&memJournal{})
	drv(o).mods["sm.precheck"] = unmetMod{fmod{"sm.precheck"}, sm.ObsData}
	_, err := New(o).Run(context.Background(), p, cfg)
	nes := nodeErrors(t, err)
	if len(nes) == 0 {
		t.Fatal("no node failed")
	}
	for _, ne := range nes {
		var u *sm.Unmet
		if !strings.HasSuffix(ne.Step, "/precheck") || ne.Guard != "" || !errors.As(ne, &u) {
			t.Fatalf("error %+v, want a precheck failed by its observation, no guard id", ne)
		}
	}
}

// taskMod records the tasks it is given.
type taskMod struct {
	fmod
	mu    *sync.Mutex
	tasks *[]modules.Task
}

func (m taskMod) Run(ctx context.Context, c modules.Conn, t modules.Task) (modules.Outcome, error) {
	m.mu.Lock()
	*m.tasks = append(*m.tasks, t)
	m.mu.Unlock()
	return m.fmod.Run(ctx, c, t)
}

// The planned verify judges release, services and data once, in the
// engine, after one wait for services (Limits.ServicesTimeout): sm.verify
// is asked for none of them and does not wait again.
func TestPlannedVerifyAsksTheModuleNothingTheGuardsJudge(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	for _, s := range p.Steps {
		if s.Phase == plan.PhaseVerify {
			s.Args["release"] = s.Hop.To // as the planner writes it
		}
	}
	o := w.options(&memJournal{})
	var mu sync.Mutex
	var tasks []modules.Task
	drv(o).mods["sm.verify"] = taskMod{fmod{"sm.verify"}, &mu, &tasks}
	if _, err := New(o).Run(context.Background(), p, cfg); err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 3 {
		t.Fatalf("sm.verify ran %d times, want 3", len(tasks))
	}
	for _, tk := range tasks {
		if tk.To != "" || tk.Args["release"] != "" || tk.Args["expect_users"] != "" || tk.Args["expect_digest"] != "" || tk.Args["settle"] != "0s" {
			t.Fatalf("sm.verify task %+v: the engine's verify guards judge release, services and data", tk)
		}
	}
}

// The registry names phases as the plan does, and window.closed guards
// exactly the phases that change a node.
func TestRegistryPhasesArePlanPhases(t *testing.T) {
	same := map[string]string{
		guard.Precheck: string(plan.PhasePrecheck), guard.Backup: string(plan.PhaseBackup), guard.Upload: string(plan.PhaseUpload),
		guard.Drain: string(plan.PhaseDrain), guard.SSP: string(plan.PhaseSSP), guard.Upgrade: string(plan.PhaseUpgrade),
		guard.Migrate: string(plan.PhaseMigrate), guard.Restore: string(plan.PhaseRestore), guard.Verify: string(plan.PhaseVerify),
		guard.Undrain: string(plan.PhaseUndrain),
	}
	for g, p := range same {
		if g != p {
			t.Errorf("registry phase %q, plan phase %q", g, p)
		}
	}
	for _, r := range guard.Rules {
		for _, ph := range append(append([]string(nil), r.Before...), r.After...) {
			if _, ok := same[ph]; !ok {
				t.Errorf("%s names phase %q, not a phase of the plan", r.ID, ph)
			}
		}
	}
	w, _ := guard.Lookup(guard.WindowClosed)
	for ph := range same {
		if plan.ChangesNode(rollout.Phase(ph)) != slices.Contains(w.Before, ph) {
			t.Errorf("window.closed before %s: %v, plan.ChangesNode: %v", ph, slices.Contains(w.Before, ph), plan.ChangesNode(rollout.Phase(ph)))
		}
	}
}
