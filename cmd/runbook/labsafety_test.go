package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// labSteps are user steps that, run on the controller, would delete the
// operator's notes, create a file beside them and copy one there; and one
// command the simulator models.
const labSteps = `
step "wipe-notes" {
  module  = "shell"
  nodes   = ["sm-dal"]
  before  = "drain"
  command = "rm -f %[1]s/*"
}

step "drop-file" {
  module  = "shell"
  nodes   = ["sm-chi"]
  before  = "drain"
  command = "touch %[1]s/created"
}

step "read-release" {
  module  = "shell"
  nodes   = ["sm-dal"]
  before  = "drain"
  command = "cat /opt/Avaya/install.properties"
}

step "copy-out" {
  module      = "copy"
  nodes       = ["sm-chi"]
  before      = "drain"
  source      = "%[2]s"
  destination = "../../../../../..%[1]s/copied"
}
`

// stepSummaries maps each step id of record.json to its status and summary.
func stepSummaries(t *testing.T, doc map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	steps, _ := doc["steps"].([]any)
	for _, s := range steps {
		m, _ := s.(map[string]any)
		id, _ := m["id"].(string)
		status, _ := m["status"].(string)
		summary, _ := m["summary"].(string)
		out[id] = status + " " + summary
	}
	return out
}

// summaryOf returns the status and summary of the step whose id ends with
// suffix.
func summaryOf(t *testing.T, steps map[string]string, suffix string) string {
	t.Helper()
	for id, s := range steps {
		if strings.HasSuffix(id, suffix) {
			return s
		}
	}
	t.Fatalf("no step %s in the record: %v", suffix, steps)
	return ""
}

// TestLabShellStepNeverRunsOnController: in apply --lab, user shell steps
// that would delete and create files on the controller do neither: the run
// succeeds, the record and the output say "not executed in the lab" with the
// rendered command, a command the simulator models runs simulated, and a
// copy step lands inside the node's lab root however its destination climbs.
func TestLabShellStepNeverRunsOnController(t *testing.T) {
	t.Parallel()
	notes := t.TempDir()
	marker := filepath.Join(notes, "marker")
	if err := os.WriteFile(marker, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "motd.txt")
	if err := os.WriteFile(src, []byte("maintenance tonight\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	manifest := copyExample(t, "core-cluster", fmt.Sprintf(labSteps, notes, src))
	r := applyLab(t, manifest)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab with shell steps")

	if b, err := os.ReadFile(marker); err != nil || string(b) != "keep" {
		t.Errorf("the operator's file was deleted or changed: %q %v", b, err)
	}
	for _, name := range []string{"created", "copied"} {
		if _, err := os.Stat(filepath.Join(notes, name)); !os.IsNotExist(err) {
			t.Errorf("a lab step wrote %s on the controller (%v)", name, err)
		}
	}
	copied := filepath.Join(r.lab, "nodes", "sm-chi", "root", notes, "copied")
	if b, err := os.ReadFile(copied); err != nil || string(b) != "maintenance tonight\n" {
		t.Errorf("the copy did not land in the node's lab root at %s: %q %v", copied, b, err)
	}

	wipe := "not executed in the lab: rm -f " + notes + "/*"
	touch := "not executed in the lab: touch " + notes + "/created"
	for _, s := range []string{wipe, touch} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the output does not say %q:\n%s", s, tail(r.stdout, 3000))
		}
	}
	doc, _ := r.recordJSON(t)
	steps := stepSummaries(t, doc)
	if got := summaryOf(t, steps, "/wipe-notes"); got != "ok "+wipe {
		t.Errorf("wipe-notes recorded as %q, want %q", got, "ok "+wipe)
	}
	if got := summaryOf(t, steps, "/drop-file"); got != "ok "+touch {
		t.Errorf("drop-file recorded as %q, want %q", got, "ok "+touch)
	}
	if got := summaryOf(t, steps, "/read-release"); got != "ok exit 0" {
		t.Errorf("a command the simulator models did not run simulated: %q", got)
	}
	journal, err := os.ReadFile(filepath.Join(r.recordDir(t), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(journal), `"status":"not_executed"`); n != 2 {
		t.Errorf("the journal marks %d command(s) not executed, want 2", n)
	}
}

// TestLabRecordedAsLab: a lab run is recorded as mode lab (folder, record,
// records listing), and its backups go under the lab directory, never to
// the manifest's backup store.
func TestLabRecordedAsLab(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	store := filepath.Join(filepath.Dir(manifest), "backups") // copyExample's store
	r := applyLab(t, manifest)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab")

	if ents, err := os.ReadDir(store); err == nil && len(ents) > 0 {
		t.Errorf("the lab wrote backups into the manifest's store %s: %v", store, ents)
	}
	for _, n := range []string{"smgr", "sm-dal", "sm-chi"} {
		got, _ := filepath.Glob(filepath.Join(r.lab, "backups", n, "*.tar.gz"))
		if len(got) == 0 {
			t.Errorf("no backup of %s under the lab directory %s", n, r.lab)
		}
	}

	if dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-apply")); len(dirs) != 0 {
		t.Errorf("a lab run is recorded as an apply: %v", dirs)
	}
	dir := r.recordDir(t) // exactly one *-lab folder
	doc, _ := r.recordJSON(t)
	if doc["mode"] != "lab" {
		t.Errorf("record.json mode %v, want lab", doc["mode"])
	}
	stdout, stderr, code := runCLI(t, "", "records", r.records)
	wantCode(t, code, 0, stdout, stderr, "records")
	if !strings.Contains(stdout, "CHG0031337  lab ") || !strings.Contains(stdout, dir) {
		t.Errorf("records does not list the run with mode lab:\n%s", stdout)
	}
}

// TestLabRunIsNotResumedAsApply: an unfinished lab run is no unfinished
// apply: a (dry-run) apply --resume finds nothing to resume, while
// apply --lab --resume continues the lab run.
func TestLabRunIsNotResumedAsApply(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", labNode("sm-chi", `fail = "backup"`))
	r := applyLab(t, manifest)
	wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab with a failing backup")

	stdout, stderr, code := runCLI(t, "", "apply", "--dry-run", "--resume", "--no-color", "--records", r.records, manifest)
	wantCode(t, code, 1, stdout, stderr, "apply --dry-run --resume after a lab run")
	if !strings.Contains(stderr, "nothing to resume") {
		t.Errorf("a lab run was taken for an apply to resume:\n%s", stderr)
	}

	stdout, stderr, code = runCLI(t, "", "apply", "--lab", "--resume", "--auto-approve", "--no-color",
		"--records", r.records, "--lab-dir", r.lab, manifest)
	wantCode(t, code, 0, stdout, stderr, "apply --lab --resume")
	var doc map[string]any
	dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-lab"))
	if len(dirs) != 2 {
		t.Fatalf("want the failed and the resumed lab runs, found %v", dirs)
	}
	b, err := os.ReadFile(filepath.Join(dirs[1], "record.json"))
	if err != nil || json.Unmarshal(b, &doc) != nil || doc["mode"] != "lab" || doc["status"] != "succeeded" {
		t.Errorf("resumed lab run: mode %v status %v (%v)", doc["mode"], doc["status"], err)
	}
}

// TestLabProfileCommandNeverRunsOnController: a manifest's profile can
// replace a node action's command line; one the simulator does not model is
// not run on the controller either, and the step it serves fails (the lab
// cannot tell what it would have said), naming why.
func TestLabProfileCommandNeverRunsOnController(t *testing.T) {
	t.Parallel()
	notes := t.TempDir()
	created := filepath.Join(notes, "created")
	manifest := copyExample(t, "core-cluster", fmt.Sprintf(`
profile {
  kind "session_manager" {
    action "precheck" {
      command   = "smcli precheck; touch %s"
      read_only = true
    }
  }
}
`, created))
	r := applyLab(t, manifest)
	wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab with a profile command")
	if _, err := os.Stat(created); !os.IsNotExist(err) {
		t.Errorf("a profile command ran on the controller (%v)", err)
	}
	_, raw := r.recordJSON(t)
	if !strings.Contains(raw, "not executed") {
		t.Errorf("the record does not say the command was not executed:\n%s", raw)
	}
}

// TestLabProfileReadsMedia: the medium check before a drain reads with the
// manifest's profile, as every other action does. Here the site's media_info
// reads a header format the node does not print, so no medium passes for
// the release it must hold and the first node is refused before its drain;
// with the embedded profile the same fleet upgrades.
func TestLabProfileReadsMedia(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", `
profile {
  kind "session_manager" {
    action "media_info" {
      command   = "smcli media-info {{.path}}"
      read_only = true
      parse     = "regex_map"
      regex     = "(?m)^(Kind|Product|Release|SSP)=(\\S+)$"
    }
  }
}
`)
	r := applyLab(t, manifest)
	wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab with a site media_info")
	_, raw := r.recordJSON(t)
	if !strings.Contains(raw, `"artifact.`) {
		t.Errorf("no artifact guard refused the medium:\n%s", raw)
	}
}
