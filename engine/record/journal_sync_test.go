package record

import (
	"os"
	"path/filepath"
	"testing"
)

// TestJournalSyncsAtStepBoundaries: a step's start and end (and the run's)
// reach the disk before Append returns, with every line written before them;
// the commands, facts and guard verdicts between two boundaries ride with
// the next fsync. Every line is written at once all the same.
func TestJournalSyncsAtStepBoundaries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	j, err := OpenJournal(dir, NewRedactor())
	if err != nil {
		t.Fatal(err)
	}
	syncs := 0
	j.sync = func() error { syncs++; return nil }
	steps := []struct {
		e    Event
		sync bool
	}{
		{Event{Type: EventRunStart}, true},
		{Event{Type: EventFacts, Node: "sm1"}, false},
		{Event{Type: EventGuard, Guard: "peer.unavailable"}, false},
		{Event{Type: EventStepStart, Step: "core/sm1/1/upgrade"}, true},
		{Event{Type: EventCommand, Command: "upgradeSM x", ExitCode: ExitCode(0)}, false},
		{Event{Type: EventCommand, Command: "swversion", ExitCode: ExitCode(0)}, false},
		{Event{Type: EventStepEnd, Step: "core/sm1/1/upgrade", Status: StepOK}, true},
		{Event{Type: EventRollback, Node: "sm1"}, true},
		{Event{Type: EventInterrupted}, true},
		{Event{Type: EventRunEnd}, true},
	}
	lines := 0
	for i, s := range steps {
		before := syncs
		if err := j.Append(s.e); err != nil {
			t.Fatal(err)
		}
		if got := syncs > before; got != s.sync {
			t.Errorf("event %d (%s): synced %v, want %v", i, s.e.Type, got, s.sync)
		}
		lines++
		b, err := os.ReadFile(j.Path())
		if err != nil {
			t.Fatal(err)
		}
		if n := countLines(b); n != lines {
			t.Fatalf("after event %d the file holds %d lines, want %d: every event is written at once", i, n, lines)
		}
	}
	// Written since the last fsync: nothing; Close has nothing to flush.
	before := syncs
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if syncs != before {
		t.Errorf("Close synced a clean journal")
	}
}

// TestLazyJournalSyncsOnClose: a dry-run's journal fsyncs once, when it is
// closed, whatever it holds.
func TestLazyJournalSyncsOnClose(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "run"), NewRedactor())
	if err != nil {
		t.Fatal(err)
	}
	syncs := 0
	j.sync = func() error { syncs++; return nil }
	j.Lazy()
	for _, typ := range []string{EventRunStart, EventStepStart, EventCommand, EventStepEnd, EventRunEnd} {
		if err := j.Append(Event{Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	if syncs != 0 {
		t.Fatalf("%d fsyncs before Close, want 0", syncs)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if syncs != 1 {
		t.Fatalf("%d fsyncs at Close, want 1", syncs)
	}
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}
