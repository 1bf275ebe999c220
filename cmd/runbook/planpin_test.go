package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// callsHCL declares var.calls (default 25), used by the policy and shown
// in a user step's command, so the plan shows which value it was made with.
const callsHCL = `variable "calls" {
  type    = number
  default = 25
}

step "announce" {
  module  = "shell"
  nodes   = ["sm-dal"]
  after   = "verify"
  command = "echo calls=${var.calls}"
}
`

// runCLIEnv is runCLI with extra environment entries.
func runCLIEnv(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb syncBuffer
	io := &stdio{in: strings.NewReader(""), out: &out, err: &errb, env: append(testEnv(), env...),
		ctx: context.Background(), width: 100}
	code := exitCode(run(args, io), &errb)
	return out.String(), errb.String(), code
}

// TestSavedPlanPinsVariables: a plan saved with -var calls=0 is applied with
// calls = 0: a different value from -var, -var-file or RUNBOOK_VAR_calls is
// refused naming the variable, and without any value the pinned one is used,
// not the default.
func TestSavedPlanPinsVariables(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", callsHCL, "max_active_calls = 0", "max_active_calls = var.calls")
	planFile := filepath.Join(t.TempDir(), "core.plan")
	stdout, stderr, code := runCLI(t, "", "plan", "--out", planFile, "-var", "calls=0", manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --out -var calls=0")
	var doc struct {
		Variables map[string]struct {
			Value json.RawMessage `json:"value"`
		} `json:"variables"`
	}
	if b, err := os.ReadFile(planFile); err != nil || json.Unmarshal(b, &doc) != nil || string(doc.Variables["calls"].Value) != "0" {
		t.Errorf("the plan file does not pin calls = 0: %+v (%v)", doc, err)
	}

	varFile := filepath.Join(t.TempDir(), "calls.tfvars")
	if err := os.WriteFile(varFile, []byte("calls = 50\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	labArgs := []string{"apply", "--lab", "--auto-approve", "--no-color", "--records", filepath.Join(base, "records"),
		"--lab-dir", filepath.Join(base, "lab")}
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{name: "-var calls=50", args: []string{"-var", "calls=50"}},
		{name: "-var-file", args: []string{"-var-file", varFile}},
		{name: "RUNBOOK_VAR_calls=50", env: []string{"RUNBOOK_VAR_calls=50"}},
		{name: "-var over an equal RUNBOOK_VAR_", env: []string{"RUNBOOK_VAR_calls=0"}, args: []string{"-var", "calls=7"}},
	} {
		args := append(append(append([]string{}, labArgs...), c.args...), planFile)
		stdout, stderr, code := runCLIEnv(t, c.env, args...)
		wantCode(t, code, 1, stdout, stderr, "apply PLANFILE "+c.name)
		if !strings.Contains(stderr, "var.calls") || !strings.Contains(stderr, "differs from the value the plan was made with") {
			t.Errorf("apply PLANFILE %s: the refusal does not name var.calls:\n%s", c.name, stderr)
		}
	}
	if runs, _ := filepath.Glob(filepath.Join(base, "records", "*", "*-apply")); len(runs) != 0 {
		t.Fatalf("a refused apply started a run: %v", runs)
	}

	r := applyLab(t, planFile)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply PLANFILE (no value given)")
	recorded, err := os.ReadFile(filepath.Join(r.recordDir(t), "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(recorded), "echo calls=0") || strings.Contains(string(recorded), "calls=25") {
		t.Errorf("the run did not use the pinned calls = 0 (the default is 25)")
	}
}

// TestSavedPlanRefusesChangedMedia: a medium whose content changed since the
// plan was made is refused before anything starts, naming the artifact.
func TestSavedPlanRefusesChangedMedia(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	medium := filepath.Join(dir, "Session_Manager_10.2.0.1.0.bin")
	sum, err := sim.WriteMedia(medium, sim.Media{Kind: "release", Product: sim.KindSM, Release: target})
	if err != nil {
		t.Fatal(err)
	}
	manifest := copyExample(t, "core-cluster", "",
		`file    = "media/Session_Manager_10.2.0.1.0.bin"`, `file    = "`+medium+`"
  sha256  = "`+sum+`"`,
		// The medium lives outside the manifest's folder: name its folder.
		`runbook "core-to-10-2" {`, `runbook "core-to-10-2" {
  media_dir = "`+dir+`"`)
	planFile := filepath.Join(t.TempDir(), "core.plan")
	stdout, stderr, code := runCLI(t, "", "plan", "--out", planFile, manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --out")
	if b, _ := os.ReadFile(planFile); !strings.Contains(string(b), sum) || !strings.Contains(string(b), `"media"`) {
		t.Fatalf("the plan file does not pin the medium's sha256")
	}
	// Same manifest, another file content (the declared sha256 unchanged).
	if _, err := sim.WriteMedia(medium, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.0"}); err != nil {
		t.Fatal(err)
	}
	r := applyLab(t, planFile)
	wantCode(t, r.code, 1, r.stdout, r.stderr, "apply PLANFILE (changed medium)")
	if !strings.Contains(r.stderr, `artifact "sm-10-2-0-1"`) || !strings.Contains(r.stderr, "changed since the plan was made") {
		t.Errorf("a changed medium is not refused naming its artifact:\n%s", r.stderr)
	}
	if runs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-apply")); len(runs) != 0 {
		t.Errorf("a changed medium started a run: %v", runs)
	}
}
