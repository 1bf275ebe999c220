package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestSSHDShellStepRunsOnTheNode: behind a real sshd the host is the node
// (smsim serve opts in to the real shell), so a user shell step the
// simulator does not model runs there, unlike in the lab.
func TestSSHDShellStepRunsOnTheNode(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	f := startFleet(t, standardFleet(), 0.2, fmt.Sprintf(`
step "mark" {
  module  = "shell"
  nodes   = ["sm-dal", "sm-chi"]
  before  = "drain"
  command = "touch %s/ran-on-${node.name}"
}
`, out))
	stdout, stderr, code := f.apply(t, "--auto-approve")
	wantCode(t, code, 0, stdout, stderr, "apply with a shell step over sshd")
	for _, n := range []string{"sm-dal", "sm-chi"} {
		if _, err := os.Stat(filepath.Join(out, "ran-on-"+n)); err != nil {
			t.Errorf("the shell step did not run on %s: %v", n, err)
		}
	}
	dirs := f.runDirs("apply")
	if len(dirs) != 1 {
		t.Fatalf("want one apply record, found %v", dirs)
	}
	b, err := os.ReadFile(filepath.Join(dirs[0], "record.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["mode"] != "apply" {
		t.Errorf("record mode %v, want apply", doc["mode"])
	}
	steps := stepSummaries(t, doc)
	for _, n := range []string{"sm-dal", "sm-chi"} {
		if got := summaryOf(t, steps, n+"/1/mark"); got != "ok exit 0" {
			t.Errorf("%s mark recorded as %q, want ok exit 0", n, got)
		}
	}
}
