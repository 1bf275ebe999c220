package record

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJournalAppendReadRedactPerms(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	r := NewRedactor("Tr0ub4dor&3")
	j, err := OpenJournal(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	sha, tail := r.Output([]byte("auth Tr0ub4dor&3\nok\n"))
	events := []Event{
		{Type: EventStepStart, Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"},
		{Type: EventCommand, Step: "core/sm-dal/1/backup", Command: "backupSM --pass Tr0ub4dor&3", ExitCode: ExitCode(0), OutputSHA256: sha, OutputTail: tail},
		{Type: EventStepEnd, Step: "core/sm-dal/1/backup", Status: StepOK, DurationMS: 1500, Values: map[string]string{"archive": "/b/x.tgz", "note": "Tr0ub4dor&3"}},
	}
	for _, e := range events {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
		// Every append is on disk for another reader at once (no buffering).
		if got, err := ReadJournal(j.Path()); err != nil || got[len(got)-1].Type != e.Type {
			t.Fatalf("event %s not readable right after Append: %v", e.Type, err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Event{Type: EventRunEnd}); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Append after Close = %v", err)
	}
	raw, _ := os.ReadFile(j.Path())
	if strings.Contains(string(raw), "Tr0ub4dor") {
		t.Fatalf("secret on disk:\n%s", raw)
	}
	if n := strings.Count(string(raw), "\n"); n != 3 {
		t.Fatalf("want 3 lines, got %d", n)
	}
	got, err := ReadJournal(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if *got[1].ExitCode != 0 || got[1].Command != "backupSM --pass (sensitive)" || got[2].Values["note"] != Placeholder || got[0].Time.IsZero() {
		t.Fatalf("round trip: %+v", got)
	}
	if got[1].OutputTail != "auth (sensitive)\nok\n" || len(got[1].OutputSHA256) != 64 {
		t.Fatalf("output digest: %+v", got[1])
	}
	assertMode(t, j.Path(), 0o600)
	assertMode(t, dir, 0o700|os.ModeDir)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != want {
		t.Fatalf("%s mode %v, want %v", path, st.Mode(), want)
	}
}

func TestJournalTornLastLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, JournalFile)
	content := `{"type":"run_start","time":"2026-12-05T01:00:00Z"}` + "\n" +
		`{"type":"step_end","time":"2026-12-05T01:00:01Z","step":"a","status":"ok"}` + "\n" +
		`{"type":"step_sta`
	os.WriteFile(path, []byte(content), 0o600)
	got, err := ReadJournal(path)
	if err != nil || len(got) != 2 {
		t.Fatalf("torn last line: %d events, %v", len(got), err)
	}
	// Reopening after the crash starts the next event on a line of its own.
	j, err := OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Append(Event{Type: EventRunEnd, Status: RunInterrupted})
	j.Close()
	got, err = ReadJournal(path)
	var ce *CorruptJournalError
	if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Lines, []int{3}) {
		t.Fatalf("torn middle line: want CorruptJournalError{3}, got %v", err)
	}
	if len(got) != 3 || got[2].Type != EventRunEnd {
		t.Fatalf("events after repair: %+v", got)
	}
}

func TestCompletedSteps(t *testing.T) {
	ev := func(typ, step, node, status string) Event {
		return Event{Type: typ, Step: step, Node: node, Status: status, Time: time.Unix(0, 0)}
	}
	events := []Event{
		ev(EventStepStart, "c/a/1/precheck", "a", ""),
		ev(EventStepEnd, "c/a/1/precheck", "a", StepOK),
		ev(EventStepEnd, "c/a/1/backup", "a", StepOK),
		ev(EventStepEnd, "c/b/1/precheck", "b", StepOK),
		ev(EventStepEnd, "c/b/1/backup", "b", StepFailed),
		ev(EventStepEnd, "c/b/1/upload", "b", StepOK),
		ev(EventStepStart, "c/b/1/upload", "b", ""), // re-run, never ended
		ev(EventStepEnd, "c/a/1/upgrade", "a", StepOK),
		ev(EventRollback, "c/a/1/upgrade", "a", StepOK), // node a restored: its steps no longer hold
		ev(EventStepEnd, "c/a/1/restore", "a", StepOK),
		ev(EventStepEnd, "c/b/1/backup", "b", StepOK),
	}
	got := CompletedSteps(events)
	want := []string{"c/b/1/precheck", "c/a/1/restore", "c/b/1/backup"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("CompletedSteps = %v, want %v", got, want)
	}
}

func TestJournalConcurrentAppends(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), NewRedactor("k3y-material"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			var err error
			for i := 0; i < 25 && err == nil; i++ {
				err = j.Append(Event{Type: EventCommand, Node: "n", Command: "use k3y-material", OutputTail: strings.Repeat("x", 3000)})
			}
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadJournal(j.Path())
	if err != nil || len(got) != 100 {
		t.Fatalf("%d events, %v: lines were interleaved", len(got), err)
	}
}
