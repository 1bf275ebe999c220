package main

import (
	"strings"
	"testing"
)

// verboseStep prints a line with the node's name and one with a sensitive
// variable on both SMs.
const verboseStep = `
variable "token" {
  type      = string
  sensitive = true
}

step "show" {
  module  = "shell"
  nodes   = ["sm-dal", "sm-chi"]
  before  = "drain"
  command = "echo live-${node.name} && echo token:${var.token}"
}
`

// TestSSHDVerboseShowsUserStepOutput: behind a real sshd, apply -v prints
// what a user shell step writes, line by line under its step, with the
// sensitive value redacted.
func TestSSHDVerboseShowsUserStepOutput(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, verboseStep)
	stdout, stderr, code := f.apply(t, "--auto-approve", "-v", "-var", "token="+secretToken)
	wantCode(t, code, 0, stdout, stderr, "apply -v")
	for _, n := range []string{"sm-dal", "sm-chi"} {
		for _, want := range []string{n + "/1/show | live-" + n + "\n", n + "/1/show | token:(sensitive)\n"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("apply -v does not print %q:\n%s", want, tail(stdout, 3000))
			}
		}
	}
	if strings.Contains(stdout+stderr, secretToken) {
		t.Errorf("apply -v printed the secret")
	}
	// Only user steps are streamed: no planned phase's output (the
	// installer's, the backup's) is printed.
	if strings.Contains(stdout, "/upgrade | ") || strings.Contains(stdout, "/backup | ") {
		t.Errorf("apply -v streamed a planned phase:\n%s", tail(stdout, 3000))
	}
}
