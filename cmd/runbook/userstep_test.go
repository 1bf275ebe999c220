package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// userDrain is a step block named like the drain phase, with its module, on
// System Manager (which the plan never drains).
const userDrain = "step \"drain\" {\n  module = \"sm.drain\"\n  nodes  = [\"smgr\"]\n}\n"

// TestLabUserDrainStepIsUndrained: a step block named "drain" running
// sm.drain is a user step, not the planned drain. The plan document marks it
// "user": true (and only it), and the run puts System Manager back in
// service when its walk ends and records that it did so.
func TestLabUserDrainStepIsUndrained(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", userDrain)
	stdout, stderr, code := runCLI(t, "", "plan", "--json", manifest)
	wantCode(t, code, 0, stdout, stderr, "plan", "--json", manifest)
	var p struct {
		Steps []struct {
			ID, Module string
			User       *bool `json:"user"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range p.Steps {
		switch {
		case s.ID == "smgr/smgr/0/drain":
			found = true
			if s.User == nil || !*s.User {
				t.Errorf("the step block's step is not marked \"user\": true: %+v", s)
			}
		case s.User != nil:
			t.Errorf("planned step %s carries \"user\": %v", s.ID, *s.User)
		}
	}
	if !found {
		t.Fatalf("no step smgr/smgr/0/drain in the plan:\n%s", stdout)
	}

	r := applyLab(t, manifest)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab core-cluster with a user drain step")
	if snap := r.node(t, "smgr"); snap.ServiceState != "accepting" {
		t.Errorf("System Manager left %s after the run, want accepting", snap.ServiceState)
	}
	for _, name := range []string{"sm-dal", "sm-chi"} {
		if snap := r.node(t, name); snap.ServiceState != "accepting" {
			t.Errorf("%s left %s after the run, want accepting", name, snap.ServiceState)
		}
	}
	doc, raw := r.recordJSON(t)
	actions, _ := doc["rollback"].([]any)
	undrained := false
	for _, a := range actions {
		m, _ := a.(map[string]any)
		if m["node"] == "smgr" && m["action"] == "undrain" && m["status"] == "ok" &&
			strings.Contains(m["message"].(string), "smgr/smgr/0/drain") {
			undrained = true
		}
	}
	if !undrained {
		t.Errorf("the record does not say the run undrained System Manager after the user step:\n%s", raw)
	}
}

// TestSavedPlanWithoutUserMarkIsStale: a saved plan whose user step lacks
// "user": true (made before plans carried it, or edited) is refused, not run
// with the step block taken for the planned drain.
func TestSavedPlanWithoutUserMarkIsStale(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", userDrain)
	planFile := filepath.Join(t.TempDir(), "core.plan")
	stdout, stderr, code := runCLI(t, "", "plan", "--out", planFile, manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --out")
	src, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	old := regexp.MustCompile(`,\s*"user": true`).ReplaceAll(src, nil)
	if string(old) == string(src) {
		t.Fatalf("the saved plan marks no user step:\n%s", src)
	}
	if err := os.WriteFile(planFile, old, 0o600); err != nil {
		t.Fatal(err)
	}
	r := applyLab(t, planFile)
	wantCode(t, r.code, 1, r.stdout, r.stderr, "apply PLANFILE-WITHOUT-USER --lab")
	if !strings.Contains(r.stderr, "stale plan") {
		t.Errorf("a plan without the user mark is not refused as stale:\n%s", r.stderr)
	}
	if dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-apply")); len(dirs) != 0 {
		t.Errorf("the stale plan started a run: %v", dirs)
	}
}
