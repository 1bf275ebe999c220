package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// atTarget is System Manager and two core SMs already on the target.
func atTarget() []fleetNode {
	return []fleetNode{
		{name: "smgr", kind: sim.KindSMGR, declared: fleetTarget, declaredSSP: -1, real: fleetTarget},
		{name: "sm-dal", kind: sim.KindSM, cluster: "core", secondary: "sm-chi", declared: fleetTarget, declaredSSP: -1, real: fleetTarget},
		{name: "sm-chi", kind: sim.KindSM, cluster: "core", secondary: "sm-dal", declared: fleetTarget, declaredSSP: -1, real: fleetTarget},
	}
}

// nodeCommands reads the apply journal's command lines per node.
func nodeCommands(t *testing.T, f *sshdFleet) map[string][]string {
	t.Helper()
	dirs := f.runDirs("apply")
	if len(dirs) != 1 {
		t.Fatalf("want one apply record, found %v", dirs)
	}
	b, err := os.ReadFile(filepath.Join(dirs[0], "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		var e struct{ Type, Node, Command string }
		if json.Unmarshal([]byte(l), &e) == nil && e.Type == "command" {
			out[e.Node] = append(out[e.Node], e.Command)
		}
	}
	return out
}

// isFactScript tells the one command of a fact read.
func isFactScript(line string) bool { return strings.Contains(line, `printf '\n__RB_`) }

// TestSSHDFactsOneSessionPerGather: over real sshd, each read of a node's
// facts is one session (System Manager and Session Manager; every kind in
// modules/sm TestGatherIsOneSessionPerKind), and a step that says it
// cannot change facts (changes_facts = false) is not followed by another
// read, while a step that can is.
func TestSSHDFactsOneSessionPerGather(t *testing.T) {
	t.Parallel()
	f := startFleet(t, atTarget(), 0.2, `
step "look" {
  module        = "shell"
  nodes         = ["*"]
  command       = "cat /opt/Avaya/install.properties"
  changes_facts = false
}

step "pause-a-bit" {
  module   = "wait"
  nodes    = ["*"]
  duration = "1ms"
}

step "mark" {
  module  = "shell"
  nodes   = ["sm-chi"]
  command = "smcli users"
}
`)
	stdout, stderr, code := f.apply(t, "--auto-approve")
	wantCode(t, code, 0, stdout, stderr, "apply of user steps over sshd")
	cmds := nodeCommands(t, f)
	want := map[string]struct{ total, scripts int }{
		"smgr":   {2, 1}, // facts once, look
		"sm-dal": {2, 1},
		"sm-chi": {4, 2}, // facts, look, mark, facts again after mark
	}
	for node, w := range want {
		scripts := 0
		for _, c := range cmds[node] {
			if isFactScript(c) {
				scripts++
			}
		}
		if len(cmds[node]) != w.total || scripts != w.scripts {
			t.Errorf("%s: %d sessions, %d of them fact reads; want %d and %d: %q", node, len(cmds[node]), scripts, w.total, w.scripts, cmds[node])
		}
	}
}
