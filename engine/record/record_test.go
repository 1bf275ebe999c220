package record

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewRecordDirNamingPermsUnique(t *testing.T) {
	root := filepath.Join(t.TempDir(), "records")
	now := time.Date(2026, 12, 5, 2, 3, 4, 0, time.FixedZone("CET", 3600))
	d1, err := NewRecordDir(root, "CHG1", ModeApply, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "CHG1", "20261205T010304Z-apply"); d1 != want {
		t.Fatalf("dir %s, want %s (UTC)", d1, want)
	}
	d2, err := NewRecordDir(root, "CHG1", ModeApply, now)
	if err != nil || d2 != d1+"-2" {
		t.Fatalf("second run in the same second: %s, %v", d2, err)
	}
	d3, _ := NewRecordDir(root, "", ModeDryRun, now)
	if filepath.Base(filepath.Dir(d3)) != "unnamed" || !strings.HasSuffix(d3, "-dry-run") {
		t.Fatalf("dry-run without change id: %s", d3)
	}
	assertMode(t, d1, 0o700|os.ModeDir)
	assertMode(t, filepath.Join(root, "CHG1"), 0o700|os.ModeDir)
	var ie *InvalidNameError
	for _, bad := range [][2]string{{"../x", ModeApply}, {"..", ModeApply}, {"a/b", ModeApply}, {"CHG", "destroy"}} {
		if _, err := NewRecordDir(root, bad[0], bad[1], now); !errors.As(err, &ie) {
			t.Errorf("NewRecordDir(%q, %q) = %v, want InvalidNameError", bad[0], bad[1], err)
		}
	}
	if mode, ts := parseRunName(filepath.Base(d2)); mode != ModeApply || !ts.Equal(now) {
		t.Fatalf("parseRunName(%s) = %s %v", d2, mode, ts)
	}
}

// writeFixtureRecord writes plan.json, journal.jsonl, record.json and
// record.md of the failed fixture run into dir, the way the executor does.
func writeFixtureRecord(t *testing.T, dir string, r *Redactor) *Run {
	t.Helper()
	p := fixturePlan()
	p.Steps[1].Args["note"] = testSecret
	sha, err := WritePlan(dir, p, r)
	if err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	run := NewRun(p, ModeApply, "ops@ctl", t0)
	run.PlanSHA256 = sha
	for _, e := range fixtureEvents() {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
		run.Apply(e)
	}
	j.Close()
	run.PlanSHA256 = sha
	if err := Write(dir, run, p, r); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestWriteRecordFilesRedactedAndPrivate(t *testing.T) {
	dir, _ := NewRecordDir(t.TempDir(), "CHG0031337", ModeApply, t0)
	r := NewRedactor(testSecret)
	run := writeFixtureRecord(t, dir, r)
	for _, f := range []string{PlanFile, JournalFile, RecordJSON, RecordMD} {
		path := filepath.Join(dir, f)
		assertMode(t, path, 0o600)
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), testSecret) {
			t.Errorf("%s holds the secret", f)
		}
	}
	if strings.Contains(run.Steps[2].Error, Placeholder) {
		t.Fatal("fixture: in-memory run should still hold the raw error (redaction happens on write)")
	}
	var back Run
	b, _ := os.ReadFile(filepath.Join(dir, RecordJSON))
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Status != RunFailed || back.Who != "ops@ctl" || len(back.Nodes) != 2 || len(back.Steps) != 6 || len(back.Rollback) != 1 {
		t.Fatalf("record.json: %+v", back)
	}
	up := back.Steps[2]
	if up.ID != "core/sm-dal/1/upgrade" || up.Status != StepFailed || *up.ExitCode != 2 || !strings.Contains(up.Error, "bad password (sensitive)") {
		t.Fatalf("failed step: %+v", up)
	}
	if back.Steps[4].Status != StepNotRun || back.Nodes[0].FactsBefore.ActiveCalls != 3 || back.Nodes[0].FactsAfter.ActiveCalls != 0 {
		t.Fatalf("not_run step or facts: %+v", back)
	}
	if len(back.PlanSHA256) != 64 {
		t.Fatalf("plan sha %q", back.PlanSHA256)
	}
	md, _ := os.ReadFile(filepath.Join(dir, RecordMD))
	for _, want := range []string{"Who | ops@ctl", "Manifest sha256 | `ab12cd34`", "| release | 8.1.3.8 | 8.1.3.8 |",
		"| active_calls | 3 | 0 |", "| `core/sm-dal/1/upgrade` | sm-dal | upgrade | 1 | failed |", "disk.space", `/var \| low`,
		"## Rollback", "restore", "```mermaid", "subgraph n0[\"sm-dal\"]", "class s2 failed", "s0 --> s1", "s3 --> s5",
		"**Final status: failed**"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("record.md lacks %q", want)
		}
	}
}

// TestMarkdownRedactsBeforeEscaping uses a secret that Markdown table escaping
// (| → \|) and whitespace folding would rewrite if redaction came after.
func TestMarkdownRedactsBeforeEscaping(t *testing.T) {
	secret := "pa|ss  wo\nrd"
	r := NewRedactor(secret)
	dir := t.TempDir()
	p := fixturePlan()
	p.Nodes[0].Name = "n-" + secret // in the Mermaid labels too
	run := NewRun(p, ModeApply, "ops@ctl", t0)
	run.Status = RunFailed
	run.Steps[0].Status, run.Steps[0].Summary = StepFailed, "said "+secret
	run.Guards = []GuardVerdict{{ID: "uds.backup", Verdict: VerdictFail, Message: secret}}
	run.Errors = []string{"login " + secret + " refused"}
	if err := WriteMarkdown(dir, run, p, r); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, RecordMD))
	for _, leak := range []string{"pa|ss", `pa\|ss`, "ss wo", "wo rd"} {
		if strings.Contains(string(md), leak) {
			t.Fatalf("record.md leaks %q:\n%s", leak, md)
		}
	}
	if strings.Count(string(md), Placeholder) < 4 {
		t.Fatalf("placeholders missing:\n%s", md)
	}
	if run.Errors[0] != "login "+secret+" refused" {
		t.Fatal("WriteMarkdown changed the caller's run")
	}
}
