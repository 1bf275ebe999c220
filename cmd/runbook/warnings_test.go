package main

import (
	"strings"
	"testing"
)

// firstWarning is a warning the mixed-fleet example always has.
const firstWarning = "ssp.required: sm-hq-1: latest SSP"

// TestWarningsOncePerJudgingCommand: validate, plan and apply print the
// manifest's warnings once each; graph and lab-less readers print none.
func TestWarningsOncePerJudgingCommand(t *testing.T) {
	t.Parallel()
	path := examples + "/mixed-fleet"
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"validate", "--no-color", path}, 1},
		{[]string{"plan", "--no-color", path}, 1},
		{[]string{"apply", "--dry-run", "--records", t.TempDir(), "--no-color", path}, 1},
		{[]string{"graph", "--no-color", path}, 0},
		{[]string{"graph", "--format", "mermaid", "--no-color", path}, 0},
	} {
		stdout, stderr, code := runCLI(t, "", c.args...)
		wantCode(t, code, 0, stdout, stderr, c.args...)
		if got := strings.Count(stderr, firstWarning); got != c.want {
			t.Errorf("runbook %s: the warning printed %d time(s), want %d\nstderr:\n%s", strings.Join(c.args, " "), got, c.want, tail(stderr, 3000))
		}
		if c.want == 0 && strings.Contains(stderr, "Warning") {
			t.Errorf("runbook %s printed warnings:\n%s", strings.Join(c.args, " "), tail(stderr, 3000))
		}
	}
}

// TestCompactWarnings: -compact-warnings prints Terraform's compact list, one
// entry per warning with where it is, and the full notes only without it;
// next to an error the warnings stay in full.
func TestCompactWarnings(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"validate", "plan", "apply"} {
		args := []string{cmd, "-compact-warnings", "--no-color", examples + "/mixed-fleet"}
		if cmd == "apply" {
			args = append([]string{cmd, "--dry-run", "--records", t.TempDir()}, args[1:]...)
		}
		stdout, stderr, code := runCLI(t, "", args...)
		wantCode(t, code, 0, stdout, stderr, args...)
		if !strings.HasPrefix(stderr, "Warnings:\n\n- "+firstWarning) {
			t.Errorf("%s -compact-warnings: stderr does not start with the compact list:\n%s", cmd, tail(stderr, 3000))
		}
		if !strings.Contains(stderr, "  on ../../examples/mixed-fleet/upgrade.hcl line 101\n") {
			t.Errorf("%s -compact-warnings: no location line:\n%s", cmd, tail(stderr, 3000))
		}
		if strings.Contains(stderr, "Warning: ") || strings.Contains(stderr, "^^") {
			t.Errorf("%s -compact-warnings printed full notes:\n%s", cmd, tail(stderr, 3000))
		}
		if !strings.Contains(stderr, "without -compact-warnings") {
			t.Errorf("%s -compact-warnings: does not say how to see the full notes:\n%s", cmd, tail(stderr, 3000))
		}
	}
	// With errors, the warnings keep their notes (they may explain the error).
	stdout, stderr, code := runCLI(t, "", "validate", "-compact-warnings", "--no-color", examples+"/refused")
	wantCode(t, code, 1, stdout, stderr, "validate -compact-warnings refused")
	if strings.Contains(stderr, "Warnings:\n") || !strings.Contains(stderr, "Error: ") {
		t.Errorf("validate -compact-warnings of a refused manifest is not in full:\n%s", tail(stderr, 3000))
	}
	// Commands that do not report warnings do not take the flag.
	_, stderr, code = runCLI(t, "", "graph", "-compact-warnings", examples+"/mixed-fleet")
	if code != 1 || !strings.Contains(stderr, "compact-warnings") {
		t.Errorf("graph -compact-warnings: exit %d, want a usage error:\n%s", code, stderr)
	}
}
