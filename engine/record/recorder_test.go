package record

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecorderJournalStreamAndRecord(t *testing.T) {
	var stream bytes.Buffer
	root := t.TempDir()
	rc, err := Start(StartOptions{Root: root, ChangeID: "CHG0031337", Mode: ModeApply, Now: t0, Plan: fixturePlan(),
		Redactor: NewRedactor(testSecret), Stream: &stream})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Dir() != filepath.Join(root, "CHG0031337", "20261205T010000Z-apply") {
		t.Fatalf("dir %s", rc.Dir())
	}
	for _, e := range fixtureEvents()[1:15] { // everything but run_start and run_end
		if err := rc.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := rc.Finish(RunFailed, "halted: "+testSecret); err != nil {
		t.Fatal(err)
	}
	if err := rc.Emit(Event{Type: EventWarning}); err == nil {
		t.Fatal("Emit after Finish accepted")
	}
	lines := strings.Split(strings.TrimSpace(stream.String()), "\n")
	if len(lines) != 16 {
		t.Fatalf("%d stream lines, want 16", len(lines))
	}
	var first, last Event
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[15]), &last)
	if first.Type != EventRunStart || first.Values[ValueWho] == "" || last.Type != EventRunEnd || last.Message != "halted: "+Placeholder {
		t.Fatalf("stream first %+v last %+v", first, last)
	}
	journal, _ := os.ReadFile(filepath.Join(rc.Dir(), JournalFile))
	if string(journal) != stream.String() {
		t.Fatal("journal and --json stream differ")
	}
	run, _, err := Load(rc.Dir())
	if err != nil || run.Reconstructed || run.Status != RunFailed || run.PlanSHA256 == "" || run.Steps[2].Status != StepFailed {
		t.Fatalf("record %+v, %v", run, err)
	}
	for _, f := range []string{JournalFile, RecordJSON, RecordMD, PlanFile, "stream"} {
		b := stream.Bytes()
		if f != "stream" {
			b, _ = os.ReadFile(filepath.Join(rc.Dir(), f))
		}
		if bytes.Contains(b, []byte(testSecret)) {
			t.Errorf("%s leaks the secret", f)
		}
	}
}

func TestRecorderInterrupted(t *testing.T) {
	rc, err := Start(StartOptions{Root: t.TempDir(), ChangeID: "C", Mode: ModeApply, Plan: fixturePlan()})
	if err != nil {
		t.Fatal(err)
	}
	rc.Emit(Event{Type: EventStepStart, Step: "core/sm-dal/1/precheck", Node: "sm-dal"})
	if err := rc.Finish(RunInterrupted, "SIGINT"); err != nil {
		t.Fatal(err)
	}
	run, _, _ := Load(rc.Dir())
	if run.Status != RunInterrupted || run.Steps[0].Status != StepInterrupted || run.Errors[0] != "SIGINT" {
		t.Fatalf("interrupted record %+v", run)
	}
	events, _ := ReadJournal(filepath.Join(rc.Dir(), JournalFile))
	if events[len(events)-1].Type != EventInterrupted {
		t.Fatalf("last event %+v", events[len(events)-1])
	}
	res, err := LastUnfinished(filepath.Dir(rc.Dir()))
	if err != nil || res.Dir != rc.Dir() || len(res.Completed) != 0 {
		t.Fatalf("resume %+v %v", res, err)
	}
}
