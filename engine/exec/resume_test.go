package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Ctrl-C while a node drains: the drain is cancelled, the node (healthy) is
// put back in service, the journal says interrupted, and the error is
// ErrInterrupted.
func TestInterruptUndrainsAndReportsInterrupted(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	n := w.nodes["sm1"]
	n.blockOn, n.block, n.started = "drain", make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-n.started; cancel() }()
	j := &memJournal{}
	res, err := New(w.options(j)).Run(ctx, p, cfg)
	if !errors.Is(err, ErrInterrupted) || !res.Interrupted {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if n.state != sm.StateAccepting || n.upgrades != 0 {
		t.Fatalf("sm1: %s, upgrades %d", n.state, n.upgrades)
	}
	undrained := false
	for _, h := range w.history {
		undrained = undrained || h == "sm1 undrain"
	}
	if !undrained || len(j.find(record.EventInterrupted, "")) != 1 {
		t.Fatalf("no undrain (history %v) or no interrupted event", w.history)
	}
	if res.Steps["core/sm1/1/drain"] != StatusInterrupted {
		t.Fatalf("drain status %q", res.Steps["core/sm1/1/drain"])
	}
}

// kill -9 right after sm1's upgrade (before its verify): the controller does
// nothing more, its journal ends in a torn line. --resume re-reads facts,
// does not upgrade sm1 again, redoes its drain, verifies and undrains it,
// then upgrades the rest, each once.
func TestResumeAfterKillUpgradesNoNodeTwice(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	j := &memJournal{}
	o := w.options(j)
	ctx, cancel := context.WithCancel(context.Background())
	killAt := -1
	o.Observer = ObserverFunc(func(e record.Event) {
		if killAt < 0 && e.Type == record.EventStepEnd && e.Step == "core/sm1/1/restore" {
			w.mu.Lock()
			w.frozen = true // the controller is gone: nothing more reaches a node
			w.mu.Unlock()
			killAt = len(j.events)
			cancel()
		}
	})
	New(o).Run(ctx, p, cfg)
	if killAt < 0 {
		t.Fatal("never reached the kill point")
	}
	dir := t.TempDir()
	jr, err := record.OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range j.events[:killAt] {
		jr.Append(e)
	}
	jr.Close()
	path := filepath.Join(dir, record.JournalFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString(`{"type":"step_start","step":"core/sm1/1/ver`) // torn by the kill
	f.Close()
	events, err := record.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}

	w.frozen = false
	sm1 := w.nodes["sm1"]
	if sm1.release != "10.2.0.1" || sm1.state != sm.StateDenying {
		t.Fatalf("kill point: sm1 %s %s", sm1.release, sm1.state)
	}
	j2 := &memJournal{}
	o2 := w.options(j2)
	o2.Resume = events
	res, err := New(o2).Run(context.Background(), p, cfg)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	for name, n := range w.nodes {
		if n.release != "10.2.0.1" || n.state != sm.StateAccepting || n.upgrades != 1 {
			t.Errorf("%s: %s %s upgrades %d", name, n.release, n.state, n.upgrades)
		}
	}
	if sm1.restores != 1 {
		t.Errorf("sm1 restored %d times", sm1.restores)
	}
	held := map[string]bool{}
	for _, e := range j2.find(record.EventStepEnd, "") {
		if strings.HasPrefix(e.Message, "resume: ") {
			held[e.Step] = true
		}
	}
	for _, id := range []string{"core/sm1/1/precheck", "core/sm1/1/backup", "core/sm1/1/upgrade", "core/sm1/1/restore"} {
		if !held[id] {
			t.Errorf("%s not held on resume (held %v)", id, held)
		}
	}
	if held["core/sm1/1/drain"] || held["core/sm1/1/verify"] {
		t.Errorf("drain/verify must run again: held %v", held)
	}
	if len(res.Succeeded) != 3 {
		t.Errorf("succeeded %v", res.Succeeded)
	}
}

func TestDryRunChangesNothingAndPredicts(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	o := w.options(&memJournal{})
	o.DryRun = true
	o.DryRunRecorder = dryrun.NewRecorder()
	// the fake backup reads nothing back under dry-run: give it a stdout shape
	drv(o).mods["sm.backup"] = dryBackup{}
	res, err := New(o).Run(context.Background(), p, cfg)
	if err != nil {
		t.Fatalf("dry-run: %v", err)
	}
	for name, n := range w.nodes {
		if n.release != "10.1.3.0" || n.state != sm.StateAccepting {
			t.Errorf("%s changed", name)
		}
	}
	if skipped := o.DryRunRecorder.Recorded(); len(res.Succeeded) != 3 || len(skipped) == 0 {
		t.Fatalf("succeeded %v, skipped %v", res.Succeeded, skipped)
	}
}

type dryBackup struct{}

func (dryBackup) Name() string                              { return "sm.backup" }
func (dryBackup) Commands(t modules.Task) ([]string, error) { return []string{"backup"}, nil }
func (dryBackup) Run(ctx context.Context, c modules.Conn, t modules.Task) (modules.Outcome, error) {
	_, err := c.Run(ctx, modules.Command{Line: "backup"})
	return modules.Outcome{}, err
}
