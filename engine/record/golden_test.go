package record

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/internal/testkit"
)

// golden compares got with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", name), got)
}

// buildRecords lays out a records tree: a failed apply with a full record, a
// dry run, a run killed mid-step (plan and a torn journal only), a folder
// killed right after creation, a garbage record, and stray entries.
func buildRecords(t *testing.T) (root string, dirs map[string]string) {
	root = filepath.Join(t.TempDir(), "records")
	r := NewRedactor(testSecret)
	dirs = map[string]string{}
	mk := func(change, mode string, at time.Time) string {
		d, err := NewRecordDir(root, change, mode, at)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	dirs["failed"] = mk("CHG0031337", ModeApply, t0)
	writeFixtureRecord(t, dirs["failed"], r)

	dirs["dry"] = mk("CHG0031337", ModeDryRun, t0.Add(-10*time.Minute))
	p := fixturePlan()
	WritePlan(dirs["dry"], p, r)
	dry := NewRun(p, ModeDryRun, "ops@ctl", t0.Add(-10*time.Minute))
	for i, s := range p.Steps {
		dry.Apply(Event{Type: EventStepStart, Time: dry.Started, Step: s.ID, Node: s.Node})
		for _, c := range s.Commands {
			dry.Apply(Event{Type: EventCommand, Step: s.ID, Command: c + " --dry " + testSecret, Status: StepSkipped})
		}
		dry.Apply(Event{Type: EventStepEnd, Time: dry.Started.Add(time.Duration(i+1) * 100 * time.Millisecond), Step: s.ID, Status: StepOK, DurationMS: 100})
	}
	dry.Status, dry.Ended = RunSucceeded, dry.Started.Add(1500*time.Millisecond)
	Write(dirs["dry"], dry, p, r)

	dirs["killed"] = mk("CHG0031337", ModeApply, t0.Add(time.Hour))
	WritePlan(dirs["killed"], p, r)
	j, _ := OpenJournal(dirs["killed"], r)
	for _, e := range fixtureEvents()[:11] { // up to step_start of sm-dal's upgrade
		e.Time = e.Time.Add(time.Hour)
		j.Append(e)
	}
	j.Close()
	f, _ := os.OpenFile(filepath.Join(dirs["killed"], JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"command","step":"core/sm-dal/1/upg`)
	f.Close()

	dirs["empty"] = mk("CHG0031337", ModeApply, t0.Add(2*time.Hour))
	dirs["garbage"] = mk("CHG0000042", ModeApply, t0.Add(-24*time.Hour))
	os.WriteFile(filepath.Join(dirs["garbage"], RecordJSON), []byte("{not json"), 0o600)

	os.MkdirAll(filepath.Join(root, "CHG0031337", "notes"), 0o700)
	os.WriteFile(filepath.Join(root, "README"), []byte("x"), 0o600)
	l, err := Acquire(filepath.Join(root, "CHG0031337", ".lock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Release() })
	return root, dirs
}

func TestListAndRenderGolden(t *testing.T) {
	root, dirs := buildRecords(t)
	list, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderList(&b, list); err != nil {
		t.Fatal(err)
	}
	golden(t, "list.golden", []byte(strings.ReplaceAll(b.String(), root, "records")))
	if len(list) != 5 || list[0].Dir != dirs["empty"] || list[4].Dir != dirs["garbage"] {
		t.Fatalf("list order: %+v", list)
	}
	for name, dir := range map[string]string{"show_failed.golden": dirs["failed"], "show_killed.golden": dirs["killed"], "show_dry.golden": dirs["dry"]} {
		b.Reset()
		if err := Render(&b, dir); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), testSecret) {
			t.Fatalf("%s: secret rendered", name)
		}
		golden(t, name, b.Bytes())
	}
	md, _ := os.ReadFile(filepath.Join(dirs["failed"], RecordMD))
	golden(t, "record_md.golden", md)

	var nr *NotRecordError
	if err := Render(&b, dirs["empty"]); !errors.As(err, &nr) {
		t.Fatalf("Render of an empty folder = %v", err)
	}
}

func TestLoadReconstructsKilledRun(t *testing.T) {
	_, dirs := buildRecords(t)
	run, p, err := Load(dirs["killed"])
	if err != nil || p == nil {
		t.Fatal(err)
	}
	if !run.Reconstructed || run.Status != RunIncomplete || run.Who != "ops@ctl" || run.ChangeID != "CHG0031337" {
		t.Fatalf("run %+v", run)
	}
	want := map[string]string{"core/sm-dal/1/precheck": StepOK, "core/sm-dal/1/backup": StepOK, "core/sm-dal/1/upgrade": StepInterrupted, "core/sm-chi/1/upgrade": StepNotRun}
	for _, s := range run.Steps {
		if w, ok := want[s.ID]; ok && s.Status != w {
			t.Errorf("%s: %s, want %s", s.ID, s.Status, w)
		}
	}
	// The newest folder is empty (died at once) and is passed over.
	res, err := LastUnfinished(filepath.Dir(dirs["killed"]))
	if err != nil || res.Dir != dirs["killed"] {
		t.Fatalf("LastUnfinished = %+v, %v", res, err)
	}
	if strings.Join(res.Completed, ",") != "core/sm-dal/1/precheck,core/sm-dal/1/backup" {
		t.Fatalf("completed %v", res.Completed)
	}
}
