package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// savePlan copies core-cluster and saves its plan with plan --out.
func savePlan(t *testing.T) (manifest, planFile string) {
	t.Helper()
	manifest = copyExample(t, "core-cluster", "")
	planFile = filepath.Join(t.TempDir(), "core.plan")
	stdout, stderr, code := runCLI(t, "", "plan", "--out", planFile, manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --out")
	if info, err := os.Stat(planFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("plan file: %v, mode %v; want 0600", err, info)
	}
	return manifest, planFile
}

// TestSavedPlanApplies: a plan saved with --out is rehearsed in the lab.
func TestSavedPlanApplies(t *testing.T) {
	t.Parallel()
	_, planFile := savePlan(t)
	r := applyLab(t, planFile)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply PLANFILE --lab")
	if got := r.node(t, "sm-chi").Release; got != target {
		t.Errorf("sm-chi at %s after apply PLANFILE, want %s", got, target)
	}
}

// TestSavedPlanStale: once the manifest changed, the saved plan is refused.
func TestSavedPlanStale(t *testing.T) {
	t.Parallel()
	manifest, planFile := savePlan(t)
	file := filepath.Join(manifest, "upgrade.hcl")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), `drain_timeout    = "30m"`, `drain_timeout    = "20m"`, 1))
	if err := os.WriteFile(file, src, 0o600); err != nil {
		t.Fatal(err)
	}
	r := applyLab(t, planFile)
	wantCode(t, r.code, 1, r.stdout, r.stderr, "apply STALE-PLANFILE --lab")
	if !strings.Contains(r.stderr, "stale plan") {
		t.Errorf("a changed manifest is not refused as a stale plan:\n%s", r.stderr)
	}
	if dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-lab")); len(dirs) != 0 {
		t.Errorf("a stale plan started a run: %v", dirs)
	}
}

// TestApplyNeedsApproval: without --auto-approve and without a terminal,
// apply refuses and changes nothing.
func TestApplyNeedsApproval(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	records, lab := filepath.Join(base, "records"), filepath.Join(base, "lab")
	args := []string{"apply", "--lab", "--records", records, "--lab-dir", lab, manifest}
	stdout, stderr, code := runCLIWith(t, t.Context(), "yes\n", args...)
	wantCode(t, code, 1, stdout, stderr, args...)
	if !strings.Contains(stderr, "--auto-approve") || !strings.Contains(stderr, "not a terminal") {
		t.Errorf("the refusal does not say why and what to do:\n%s", stderr)
	}
	if dirs, _ := filepath.Glob(filepath.Join(records, "*", "*-lab")); len(dirs) != 0 {
		t.Errorf("an unapproved apply left a run record: %v", dirs)
	}
	r := labRun{lab: lab}
	for _, n := range []string{"smgr", "sm-dal", "sm-chi"} {
		if _, err := os.Stat(filepath.Join(lab, "nodes", n)); err != nil {
			continue // the lab was not even started
		}
		if snap := r.node(t, n); snap.Release != source || len(snap.History) != 0 {
			t.Errorf("%s changed without approval: %s, history %+v", n, snap.Release, snap.History)
		}
	}
}

// jsonKeys are the keys apply --json events may carry (README).
var jsonKeys = map[string]bool{"type": true, "time": true, "step": true, "node": true, "phase": true, "status": true,
	"duration_ms": true, "exit_code": true, "guard": true, "verdict": true, "message": true}

func TestApplyJSON(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	r := applyLab(t, manifest, "--json")
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab --json")
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n, types := 0, map[string]int{}
	for sc.Scan() {
		n++
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("stdout line %d is not JSON: %v\n%s", n, err, sc.Text())
		}
		if ev["type"] == nil || ev["time"] == nil {
			t.Errorf("line %d has no type or time: %s", n, sc.Text())
		}
		for k := range ev {
			if !jsonKeys[k] {
				t.Errorf("line %d has the undocumented key %q: %s", n, k, sc.Text())
			}
		}
		types[ev["type"].(string)]++
	}
	if n == 0 || len(types) < 2 {
		t.Fatalf("apply --json printed %d events of types %v", n, types)
	}
	if strings.Contains(r.stderr, "lab: synthesized") {
		t.Logf("stderr carries human text (allowed): %s", tail(r.stderr, 500))
	}
}

// TestApplyApprovalDeclined: on a terminal, any answer but "yes" cancels
// before anything changes.
func TestApplyApprovalDeclined(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	records, lab := filepath.Join(base, "records"), filepath.Join(base, "lab")
	var out, errb syncBuffer
	io := &stdio{in: strings.NewReader("y\n"), out: &out, err: &errb, env: testEnv(), ctx: t.Context(),
		width: 100, inTTY: true}
	code := exitCode(run([]string{"apply", "--lab", "--records", records, "--lab-dir", lab, manifest}, io), &errb)
	wantCode(t, code, 1, out.String(), errb.String(), "apply (answer y)")
	if !strings.Contains(out.String(), "Only 'yes' is accepted") || !strings.Contains(errb.String(), "cancelled") {
		t.Errorf("no question or no cancellation:\nstdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "sm-chi") {
		t.Errorf("the question does not show the plan summary:\n%s", out.String())
	}
	if dirs, _ := filepath.Glob(filepath.Join(records, "*", "*-lab")); len(dirs) != 0 {
		t.Errorf("a declined apply left a run record: %v", dirs)
	}
	r := labRun{lab: lab}
	for _, n := range []string{"smgr", "sm-dal", "sm-chi"} {
		if snap := r.node(t, n); snap.Release != source || len(snap.History) != 0 {
			t.Errorf("%s changed without approval: %s, history %+v", n, snap.Release, snap.History)
		}
	}
}

// TestLockHeldElsewhere: a lock left by an apply on another host refuses the
// run naming its id, holder, host, pid and start and the way out;
// --force-unlock needs that id, then removes it.
func TestLockHeldElsewhere(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	records, lab := filepath.Join(base, "records"), filepath.Join(base, "lab")
	lockFile := filepath.Join(lab, ".runbook", "CHG0031337.lock")
	if err := os.MkdirAll(filepath.Dir(lockFile), 0o700); err != nil {
		t.Fatal(err)
	}
	lock := `{"id": "5ca1ab1e0ddba11a", "pid": 4242, "host": "ops-2.example.net", "user": "ops", "started": "2026-12-04T22:01:00Z"}`
	if err := os.WriteFile(lockFile, []byte(lock), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"apply", "--lab", "--auto-approve", "--no-color", "--records", records, "--lab-dir", lab, manifest}
	stdout, stderr, code := runCLI(t, base, args...)
	wantCode(t, code, 1, stdout, stderr, args...)
	for _, s := range []string{"lock id 5ca1ab1e0ddba11a", "pid 4242", "ops@ops-2.example.net", "host ops-2.example.net",
		"since 2026-12-04T22:01:00Z", "--force-unlock 5ca1ab1e0ddba11a"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("the lock refusal does not name %q:\n%s", s, stderr)
		}
	}
	stdout, stderr, code = runCLI(t, base, append([]string{"apply", "--force-unlock", "0000000000000000"}, args[1:]...)...)
	wantCode(t, code, 1, stdout, stderr, "apply --force-unlock WRONG-ID")
	if !strings.Contains(stderr, "not the id of the lock") {
		t.Errorf("a wrong lock id is not refused as such:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, base, append([]string{"apply", "--force-unlock", "5ca1ab1e0ddba11a"}, args[1:]...)...)
	wantCode(t, code, 0, stdout, stderr, "apply --force-unlock ID")
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("the lock is still there after the run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(manifest, ".runbook")); !os.IsNotExist(err) {
		t.Errorf("a lab run left a lock folder beside the manifest: %v", err)
	}
}
