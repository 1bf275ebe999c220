package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// holdHCL makes a real apply hold its lock, changing nothing, until it is
// interrupted: a wait step on System Manager before its precheck.
const holdHCL = `
step "hold" {
  module   = "wait"
  nodes    = ["smgr"]
  before   = "precheck"
  duration = "10m"
}
`

// TestSSHDLockAcrossDirsAndRecords: while a real apply holds the change's
// lock, the same change applied from another working directory (its own
// ./records), with another --records, or through a symlink to the manifest
// is refused naming the lock's id, holder, host, pid and start; --force-unlock
// with that id is refused while the holder runs on this host, and with a
// wrong id. The lock lives beside the manifest and is gone once the holder
// ends.
func TestSSHDLockAcrossDirsAndRecords(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, holdHCL)
	before := f.snapshots(t)
	b := startApply(t, f, "--auto-approve")
	b.waitFor(t, "step_start", regexp.MustCompile(`/hold$`))

	lockFile := filepath.Join(f.manifest, ".runbook", fleetChange+".lock")
	raw, err := os.ReadFile(lockFile)
	if err != nil {
		t.Fatalf("no lock beside the manifest while apply runs: %v", err)
	}
	var held struct {
		ID  string `json:"id"`
		PID int    `json:"pid"`
	}
	if err := json.Unmarshal(raw, &held); err != nil || held.ID == "" || held.PID != b.cmd.Process.Pid {
		t.Fatalf("lock %s = %s (%v), want the id and pid %d of the running apply", lockFile, raw, err, b.cmd.Process.Pid)
	}
	host, _ := os.Hostname()
	wantNamed := func(what, stderr string) {
		t.Helper()
		for _, s := range []string{"locked by", "lock id " + held.ID, fmt.Sprintf("pid %d", held.PID), "host " + host, "since "} {
			if !strings.Contains(stderr, s) {
				t.Errorf("%s: the refusal does not name %q:\n%s", what, s, stderr)
			}
		}
	}

	// Another working directory, its default ./records, the manifest
	// through a symlink.
	otherDir := t.TempDir()
	link := filepath.Join(otherDir, "change")
	if err := os.Symlink(f.manifest, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "apply", "--no-color", "--auto-approve", "change")
	cmd.Dir, cmd.Env = otherDir, testEnv()
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("apply from another directory while locked: exit %d (%v), want 1:\n%s", code, err, out)
	}
	wantNamed("apply from another directory", string(out))

	// Another --records folder.
	otherRecords := filepath.Join(t.TempDir(), "records")
	stdout, stderr, code := runCLI(t, f.base, "apply", "--no-color", "--auto-approve", "--records", otherRecords, f.manifest)
	wantCode(t, code, 1, stdout, stderr, "apply --records OTHER (while locked)")
	wantNamed("apply --records OTHER", stderr)

	// --force-unlock: the right id while the holder runs, then a wrong id.
	stdout, stderr, code = runCLI(t, f.base, "apply", "--no-color", "--auto-approve", "--records", otherRecords,
		"--force-unlock", held.ID, f.manifest)
	wantCode(t, code, 1, stdout, stderr, "apply --force-unlock ID (holder alive)")
	if !strings.Contains(stderr, "force-unlock refused") || !strings.Contains(stderr, fmt.Sprintf("pid %d on this host", held.PID)) {
		t.Errorf("force-unlock of a live holder is not refused as such:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, f.base, "apply", "--no-color", "--auto-approve", "--force-unlock", "0000000000000000", link)
	wantCode(t, code, 1, stdout, stderr, "apply --force-unlock WRONG-ID")
	if !strings.Contains(stderr, "not the id of the lock") {
		t.Errorf("force-unlock with a wrong id is not refused as such:\n%s", stderr)
	}
	if now, err := os.ReadFile(lockFile); err != nil || string(now) != string(raw) {
		t.Fatalf("the running apply's lock changed: %s (%v)", now, err)
	}
	for _, dir := range []string{filepath.Join(otherDir, "records"), otherRecords} {
		if runs, _ := filepath.Glob(filepath.Join(dir, "*", "*-apply")); len(runs) != 0 {
			t.Errorf("a refused apply started a run: %v", runs)
		}
	}

	code, all := b.interrupt(t)
	if code != 4 {
		t.Fatalf("interrupted apply: exit %d, want 4:\n%s", code, tail(all, 3000))
	}
	f.assertUnchanged(t, before)
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("the lock outlives its apply: %v", err)
	}
	if ignore, err := os.ReadFile(filepath.Join(f.manifest, ".runbook", ".gitignore")); err != nil || !strings.Contains(string(ignore), "*") {
		t.Errorf("the lock folder does not keep itself out of git: %q, %v", ignore, err)
	}
}
