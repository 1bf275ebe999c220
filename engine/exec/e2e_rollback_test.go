package exec

import (
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
)

// Rollback over real OpenSSH (see e2e_test.go): what it restores, and onto
// what.

func rollbackActions(res *Result) []string {
	var acts []string
	for _, a := range res.Rollback {
		acts = append(acts, a.Action+":"+a.Status)
	}
	return acts
}

// sm1's verify fails after its cross-line hop, and the reinstall of its
// source release fails too: the 8.1 backup is not restored onto 10.2, the
// refusal is recorded, and the node is left on 10.2 for the operator.
func TestE2ERollbackNeverRestoresOntoAnotherRelease(t *testing.T) {
	f, _ := sshFleet(t, "1m", "rollback", "")
	o, _ := f.sshOptions(&memJournal{})
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Step == "core/sm1/1/restore" && e.Status == StatusOK {
			f.fault("sm1", "verify", "fail", 1)
			f.fault("sm1", "upgrade", "fail", 1) // the reinstall of 8.1.3.8
		}
	})
	res, ne := runHalted(t, f, o)
	if ne.Step != "core/sm1/1/verify" {
		t.Fatalf("root cause %+v", ne)
	}
	if s := f.state("sm1"); s.Release != "10.2.0.1" {
		t.Fatalf("sm1 on %s, want it left on 10.2.0.1", s.Release)
	}
	if n := f.count("sm1", "restore"); n != 1 {
		t.Fatalf("sm1 restored %d times: the 8.1.3.8 backup was restored onto 10.2.0.1", n)
	}
	acts := rollbackActions(res)
	if len(acts) < 2 || acts[0] != "reinstall:failed" || acts[1] != "restore:failed" {
		t.Fatalf("actions %v", acts)
	}
	if msg := res.Rollback[1].Message; !strings.Contains(msg, "taken on 8.1.3.8 and the node runs 10.2.0.1") {
		t.Fatalf("restore refusal: %q", msg)
	}
	if slices.Contains(res.RolledBack, "sm1") {
		t.Fatalf("sm1 counted as rolled back")
	}
}

// An SSP pass backs the node up before it changes, so its rollback has
// something to restore: the SSP pass's verify fails on sm1, the node is
// restored from the pass's own backup and verified on its release.
func TestE2ESSPPassRollbackRestoresItsBackup(t *testing.T) {
	f, _ := sshFleet(t, "1m", "rollback", "")
	before := f.digests()
	o, _ := f.sshOptions(&memJournal{})
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Step == "core/sm1/0/ssp" && e.Status == StatusOK {
			f.fault("sm1", "verify", "fail", 1)
		}
	})
	res, ne := runHalted(t, f, o)
	if ne.Step != "core/sm1/0/verify" {
		t.Fatalf("root cause %+v", ne)
	}
	if res.Steps["core/sm1/0/backup"] != StatusOK {
		t.Fatalf("the SSP pass took no backup: %q", res.Steps["core/sm1/0/backup"])
	}
	if acts := rollbackActions(res); !slices.Contains(acts, "restore:ok") || !slices.Contains(acts, "verify:ok") {
		t.Fatalf("actions %v", acts)
	}
	if n := f.count("sm1", "restore"); n != 1 {
		t.Fatalf("sm1 restores: %d", n)
	}
	if f.digest("sm1") != before["sm1"] || !slices.Contains(res.RolledBack, "sm1") {
		t.Fatalf("sm1 not rolled back: rolled back %v", res.RolledBack)
	}
	f.noneDenying()
}
