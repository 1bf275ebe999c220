package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// The media a hop installs, checked on the node over real OpenSSH (see
// e2e_test.go) before the node is drained.

// useMedium points the fleet's artifact name at a new medium and plans again.
func (f *fleet) useMedium(name string, m sim.Media) string {
	f.t.Helper()
	p := filepath.Join(f.root, "media", "other-"+name+".bin")
	sum, err := sim.WriteMedia(p, m)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range f.cfg.Artifacts {
		if a.Name == name {
			a.File, a.SHA256 = p, sum
		}
	}
	pl, diags := plan.Compile(f.cfg, nil, plan.Options{})
	if diags.HasErrors() {
		f.t.Fatalf("plan: %v", diags)
	}
	f.p = pl
	return p
}

// drainsStarted lists the journal's started drains of cross-line hops.
func drainsStarted(j *memJournal, hop string) []string {
	var out []string
	for _, e := range j.all() {
		if e.Type == record.EventStepStart && strings.HasSuffix(e.Step, "/"+hop+"/drain") {
			out = append(out, e.Step)
		}
	}
	return out
}

// The SM release artifact declares 10.2.0.1 with the right sha256 of a file
// that holds 10.1.3.0: refused as artifact.release before any SM is drained
// for its hop (the installer would only have found out after the drain).
func TestE2EWrongReleaseMediumRefusedBeforeDrain(t *testing.T) {
	f, _ := sshFleet(t, "1m", "halt", "")
	f.useMedium("sm", sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.1.3.0"})
	j := &memJournal{}
	o, _ := f.sshOptions(j)
	_, err := New(o).Run(context.Background(), f.p, f.cfg)
	nes := nodeErrors(t, err)
	if len(nes) == 0 {
		t.Fatal("no failure")
	}
	for _, ne := range nes { // the uploads run ahead, so every SM's may have failed
		if ne.Guard != guard.ArtifactRelease || !strings.HasSuffix(ne.Step, "/1/upload") || !strings.Contains(ne.Error(), "session_manager 10.1.3.0 release medium") {
			t.Fatalf("root cause %+v", ne)
		}
	}
	if d := drainsStarted(j, "1"); len(d) != 0 {
		t.Fatalf("drained for the hop before the medium was refused: %v", d)
	}
	for _, n := range []string{"sm1", "sm2", "bsm1"} {
		if s := f.state(n); s.Release != "8.1.3.8" || f.count(n, "upgrade") != 0 {
			t.Errorf("%s changed: %s", n, s.Release)
		}
	}
	f.noneDenying()
}

// kill -9 after sm2's medium was uploaded, then the medium is deleted on the
// node: --resume does not trust the journal's upload, it sends the medium
// again, and the run ends with every node upgraded (the installer is never
// started without its medium, after a drain).
func TestE2EResumeReuploadsADeletedMedium(t *testing.T) {
	f, _ := sshFleet(t, "1m", "halt", "")
	before := f.digests()
	journal := f.killAfter(t, func(e record.Event) bool {
		return e.Step == "core/sm2/1/upload" && e.Status == StatusOK
	})
	remote := f.p.StepByID("core/sm2/1/upload").Args["remote"]
	onNode := filepath.Join(f.dirs["sm2"], "root", remote)
	if err := os.Remove(onNode); err != nil {
		t.Fatalf("deleting the medium on sm2: %v", err)
	}
	events, err := record.ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	j2 := &memJournal{}
	o2, _ := f.sshOptions(j2)
	o2.Resume = events
	if _, err := New(o2).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("resume: %v", err)
	}
	f.assertUpgraded(before)
	if _, err := os.Stat(onNode); err != nil {
		t.Fatalf("medium not uploaded again: %v", err)
	}
}
