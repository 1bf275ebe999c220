package sm_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// Every module of a cross-line hop, in order, through the project's dry-run
// gate: each succeeds (verify aside, which reads the unchanged node), values
// flow as the engine passes them, and the node is left untouched.
func TestHopThroughDryRunGate(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "8.1.3.8", Users: 5, ActiveCalls: 4})
	rec := dryrun.NewRecorder()
	g := dryrun.Wrap(c, "sm-dal", rec)
	local, sum := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	remote := "/var/tmp/runbook/" + filepath.Base(local)
	task := func(args map[string]string) modules.Task {
		return modules.Task{Node: "sm-dal", Kind: sim.KindSM, From: "8.1.3.8", To: "10.2.0.1", Args: args}
	}
	b, err := runMod(t, g, "sm.backup", task(map[string]string{"store": t.TempDir()}))
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	steps := []struct {
		name string
		args map[string]string
	}{
		{"sm.precheck", nil},
		{"sm.upload", map[string]string{"artifact": "m", "local": local, "remote": remote, "sha256": sum}},
		{"sm.drain", map[string]string{"drain_timeout": "0s"}},
		{"sm.upgrade", map[string]string{"media": remote, "sha256": sum}},
		{"sm.restore", b.Values},
		{"sm.migrate", b.Values},
		{"sm.undrain", nil},
	}
	for _, s := range steps {
		if _, err := runMod(t, g, s.name, task(s.args)); err != nil {
			t.Errorf("%s under dry-run: %v", s.name, err)
		}
	}
	var lines []string
	for _, e := range rec.Recorded() {
		lines = append(lines, e.Kind+" "+e.Line+e.Remote)
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"backupSM", "upload " + remote, "smcli service-state deny", "upgradeSM --media", "restoreSM", "smcli service-state accept"} {
		if !strings.Contains(all, want) {
			t.Errorf("dry-run record lacks %q:\n%s", want, all)
		}
	}
	if s := show(t, dir); len(s.History) != 0 || s.Release != "8.1.3.8" {
		t.Fatalf("dry-run changed the node: %+v", s.History)
	}
}
