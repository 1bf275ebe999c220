package exec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// runOne runs the core cluster with setup applied and returns the only node
// error (the test fails when there is not exactly one).
func runOne(t *testing.T, setup func(w *world, o *Options, cfg *eval.Config)) (*world, *Result, *NodeError, *memJournal) {
	t.Helper()
	w := newWorld(t)
	p, cfg := coreCluster(w)
	j := &memJournal{}
	o := w.options(j)
	setup(w, &o, cfg)
	res, err := New(o).Run(context.Background(), p, cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v, want ErrHalted", err)
	}
	nes := nodeErrors(t, err)
	if len(nes) != 1 {
		t.Fatalf("node errors = %v, want one", nes)
	}
	return w, res, nes[0], j
}

// Each runtime guard, fed by facts, refuses the step it protects; the node
// is left unchanged and in service, and the verdict is journalled.
func TestRuntimeGuardsRefuseTheirStep(t *testing.T) {
	now := time.Now().UTC()
	cases := []struct {
		name  string
		setup func(w *world, o *Options, cfg *eval.Config)
		guard string
		step  string
	}{
		{"calls cannot drain", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].calls, w.nodes["sm1"].stuckCalls = 4, true
		}, guard.CallsActive, "core/sm1/1/drain"},
		{"secondary down", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm2"].downAfter = "precheck" // after its own node.services passed
		}, guard.PeerUnavailable, "core/sm1/1/drain"},
		{"services down before the hop", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].down = true
		}, guard.NodeServices, "core/sm1/1/precheck"},
		{"window too short", func(w *world, o *Options, cfg *eval.Config) {
			o.Clock = fixedClock{now}
			cfg.Runbook.Window = &eval.Window{Start: now.Add(-time.Hour), End: now.Add(2 * time.Minute)}
		}, guard.WindowClosed, "core/sm1/1/drain"},
		{"no space for the backup", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].disk["/var"] = 100
		}, guard.DiskSpace, "core/sm1/1/backup"},
		{"clock skew", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].skew = 5 * time.Minute
		}, guard.TimeSkew, "core/sm1/1/precheck"},
		{"UDS backup failed", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].uds = "failed"
		}, guard.UDSBackup, "core/sm1/1/backup"},
		{"archive corrupt", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].corruptBackup = true
		}, guard.BackupVerify, "core/sm1/1/backup"},
		{"data lost by the upgrade", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].loseData = true
		}, guard.VerifyData, "core/sm1/1/verify"},
		{"services do not come up", func(w *world, o *Options, cfg *eval.Config) {
			w.nodes["sm1"].fail["undrain"] = "x" // never reached
			w.nodes["sm1"].downAfter = "upgrade"
		}, guard.VerifyServices, "core/sm1/1/verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, res, ne, j := runOne(t, c.setup)
			if ne.Guard != c.guard || ne.Step != c.step || ne.Node != "sm1" {
				t.Fatalf("error = %+v, want guard %s at %s", ne, c.guard, c.step)
			}
			var ge *GuardError
			if !errors.As(ne, &ge) || ge.ID != c.guard {
				t.Fatalf("errors.As GuardError: %v", ne)
			}
			failed := false
			for _, e := range j.find(record.EventGuard, c.guard) {
				failed = failed || (e.Node == "sm1" && e.Verdict == record.VerdictFail && e.Step == c.step)
			}
			if !failed {
				t.Fatalf("no failing %s verdict journalled for sm1", c.guard)
			}
			n := w.nodes["sm1"]
			if c.guard != guard.VerifyData && c.guard != guard.VerifyServices && n.release != "10.1.3.0" {
				t.Errorf("sm1 changed release to %s", n.release)
			}
			if c.guard != guard.VerifyData && c.guard != guard.VerifyServices && n.state != sm.StateAccepting {
				t.Errorf("sm1 left %s", n.state)
			}
			if w.nodes["sm2"].upgrades != 0 {
				t.Errorf("the cluster did not halt: sm2 upgraded")
			}
			if !slices.Contains(res.Failed, "sm1") {
				t.Errorf("failed = %v", res.Failed)
			}
		})
	}
}

func TestDriftRefusesTheWholeRun(t *testing.T) {
	w, res, ne, _ := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		w.nodes["sm2"].release = "10.1.2.0"
	})
	if ne.Guard != guard.FactsDrift || ne.Node != "sm2" {
		t.Fatalf("error = %+v", ne)
	}
	for name, n := range w.nodes {
		if n.upgrades != 0 || n.state != sm.StateAccepting {
			t.Errorf("%s touched", name)
		}
	}
	if res.Steps["core/sm1/1/precheck"] != StatusNotRun {
		t.Errorf("precheck ran: %v", res.Steps)
	}
}

func TestUserGuardRefusesANode(t *testing.T) {
	w, _, ne, _ := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		w.nodes["sm1"].disk["/var"] = 3000
		cond, d1 := hclsyntax.ParseExpression([]byte(`facts.disk_free_mb["/var"] > 4096`), "g.hcl", hcl.InitialPos)
		msg, d2 := hclsyntax.ParseTemplate([]byte(`need 4 GiB free in /var on ${node.name}`), "g.hcl", hcl.InitialPos)
		if d1.HasErrors() || d2.HasErrors() {
			t.Fatal(d1, d2)
		}
		cfg.Guards = []*eval.Guard{{Name: "var-space", Phase: "upgrade", Condition: cond, Message: msg}}
	})
	if ne.Guard != "var-space" || ne.Step != "core/sm1/1/upgrade" || !strings.Contains(ne.Error(), "need 4 GiB free in /var on sm1") {
		t.Fatalf("error = %v (%+v)", ne, ne)
	}
	if n := w.nodes["sm1"]; n.upgrades != 0 || n.state != sm.StateAccepting {
		t.Fatalf("sm1: upgrades %d, %s", n.upgrades, n.state)
	}
}

func TestRollbackRestoresSourceReleaseAndData(t *testing.T) {
	w, res, ne, j := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		cfg.Runbook.Policy.OnFailure = PolicyRollback
		cfg.Artifacts = []*eval.Artifact{{Name: "sm-10-1", Kind: "release", Release: "10.1.3.0", File: "media/SM-10.1.3.0.bin", SHA256: "ab"}}
		w.nodes["sm1"].loseData = true
	})
	if ne.Guard != guard.VerifyData {
		t.Fatalf("error = %+v", ne)
	}
	n := w.nodes["sm1"]
	if n.release != "10.1.3.0" || n.digest != "d-sm1" || n.state != sm.StateAccepting || n.restores != 2 {
		t.Fatalf("sm1 after rollback: %s %s %s restores %d", n.release, n.digest, n.state, n.restores)
	}
	if !slices.Equal(res.RolledBack, []string{"sm1"}) {
		t.Fatalf("rolled back = %v (actions %+v)", res.RolledBack, res.Rollback)
	}
	if len(j.find(record.EventRollback, "")) != len(res.Rollback) {
		t.Fatalf("rollback actions not journalled")
	}
	if n.upgrades != 2 {
		t.Fatalf("source release not installed again: %d upgrades", n.upgrades)
	}
}

// Without a medium for the source release the node stays on the hop's
// target, so the pre-upgrade backup (taken on the source release) is not
// restored onto it: the restore is refused and recorded, and the node, not
// healthy, stays denying new service.
func TestRollbackWithoutSourceMedium(t *testing.T) {
	w, res, _, _ := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		cfg.Runbook.Policy.OnFailure = PolicyRollback
		w.nodes["sm1"].loseData = true
	})
	n := w.nodes["sm1"]
	if n.release != "10.2.0.1" || n.restores != 1 || n.state != sm.StateDenying {
		t.Fatalf("sm1: %s, %d restores, %s", n.release, n.restores, n.state)
	}
	if len(res.RolledBack) != 0 {
		t.Fatalf("rolled back = %v", res.RolledBack)
	}
	var acts []string
	for _, a := range res.Rollback {
		acts = append(acts, a.Action+":"+a.Status)
		if a.Action == "restore" && !strings.Contains(a.Message, "taken on 10.1.3.0 and the node runs 10.2.0.1") {
			t.Errorf("restore refusal says %q", a.Message)
		}
	}
	if !slices.Equal(acts, []string{"reinstall:failed", "restore:failed", "undrain:not_run"}) {
		t.Fatalf("actions = %v", acts)
	}
}

// halt (no rollback) leaves an unhealthy node denying, and says why.
func TestHaltLeavesUnhealthyNodeDrained(t *testing.T) {
	w, res, _, _ := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		w.nodes["sm1"].loseData = true
	})
	if w.nodes["sm1"].state != sm.StateDenying {
		t.Fatalf("an unhealthy node was put back in service")
	}
	if len(res.Rollback) != 1 || res.Rollback[0].Action != "undrain" || res.Rollback[0].Status != record.StepNotRun {
		t.Fatalf("actions = %+v", res.Rollback)
	}
}

func TestRebootMidUpgradeIsSettledFromFacts(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	w.nodes["sm1"].rebootOn = "upgrade"
	if _, err := New(w.options(nil)).Run(context.Background(), p, cfg); err != nil {
		t.Fatal(err)
	}
	n := w.nodes["sm1"]
	if n.release != "10.2.0.1" || n.upgrades != 1 || w.dials["sm1"] != 2 || n.state != sm.StateAccepting {
		t.Fatalf("sm1: %s, upgrades %d, dials %d, %s", n.release, n.upgrades, w.dials["sm1"], n.state)
	}
}

// A drop before the installer did anything: the upgrade is not re-run, the
// step fails on the facts, and the node (healthy) is put back in service.
func TestDropBeforeUpgradeIsNotRerun(t *testing.T) {
	w, _, ne, _ := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		w.nodes["sm1"].lostBefore = "upgrade"
	})
	if ne.Step != "core/sm1/1/upgrade" || !strings.Contains(ne.Error(), "reports release 10.1.3.0") {
		t.Fatalf("error = %v", ne)
	}
	if n := w.nodes["sm1"]; n.upgrades != 0 || n.state != sm.StateAccepting {
		t.Fatalf("sm1: upgrades %d, %s", n.upgrades, n.state)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	const secret = "hunter2-very-secret"
	_, _, ne, j := runOne(t, func(w *world, o *Options, cfg *eval.Config) {
		cfg.Secrets = []string{secret}
		w.nodes["sm1"].fail["backup"] = "login with " + secret + " refused"
	})
	if strings.Contains(ne.Error(), secret) {
		t.Fatalf("secret in error: %v", ne)
	}
	for _, e := range j.all() {
		if strings.Contains(e.Message+e.OutputTail+e.Command, secret) {
			t.Fatalf("secret in event %+v", e)
		}
	}
}

// --cluster core while System Manager is still on 10.1: the run is refused
// before any step (SMGR read read-only, though outside the scope), so no SM
// is drained; once SMGR is on 10.2, the same run goes through.
func TestSMGRFirstIsRecheckedAtRunTime(t *testing.T) {
	for _, smgrRelease := range []string{"10.1.3.0", "10.2.0.1"} {
		t.Run(smgrRelease, func(t *testing.T) {
			w := newWorld(t)
			w.add("smgr", "smgr", eval.KindSMGR, smgrRelease)
			w.add("sm1", "core", eval.KindSM, "10.1.3.0")
			p, cfg := buildPlan([]spec{
				{"smgr", "smgr", eval.KindSMGR, "10.1.3.0", "10.2.0.1", ""},
				{"sm1", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			})
			o := w.options(nil)
			o.Clusters = []string{"core"}
			res, err := New(o).Run(context.Background(), p, cfg)
			if smgrRelease == "10.2.0.1" {
				if err != nil || w.nodes["sm1"].release != "10.2.0.1" {
					t.Fatalf("err = %v, sm1 %s", err, w.nodes["sm1"].release)
				}
				return
			}
			var ge *GuardError
			if !errors.As(err, &ge) || ge.ID != guard.OrderSMGRFirst || errors.Is(err, ErrHalted) || w.nodes["sm1"].upgrades != 0 {
				t.Fatalf("err = %v, want an order.smgr_first refusal before the run", err)
			}
			if res.Steps["core/sm1/1/precheck"] != StatusNotRun || res.Steps["core/sm1/1/drain"] != StatusNotRun {
				t.Fatalf("steps ran: %v", res.Steps)
			}
			if w.nodes["sm1"].state != sm.StateAccepting || w.nodes["smgr"].upgrades != 0 {
				t.Fatal("sm1 left drained or SMGR touched")
			}
		})
	}
}
