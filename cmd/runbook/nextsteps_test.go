package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// nextVars are variables a halted or interrupted run was given: the resume
// command repeats them, a sensitive one without its value.
const nextVars = `
variable "note" {
  type    = string
  default = "none"
}
variable "api_token" {
  type      = string
  sensitive = true
  default   = ""
}
`

// TestHaltSaysWhatNext: a halted lab run names the guard or step to check
// first and ends with the exact command that resumes it (the same PATH,
// --lab --lab-dir, --records, --cluster and every -var, a sensitive value
// replaced by …); stdout ends with the change record's path; the resume
// command does resume.
func TestHaltSaysWhatNext(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-t0ken-value"
	manifest := copyExample(t, "core-cluster", nextVars+labNode("sm-chi", `fail = "backup"`))
	vars := []string{"-var", "note=two words", "-var", "api_token=" + secret, "--cluster", "smgr", "--cluster", "core"}
	r := applyLab(t, manifest, vars...)
	wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab with a failing backup")
	want := "runbook apply --resume --lab --lab-dir " + r.lab + " --records " + r.records +
		" --cluster smgr --cluster core -var 'note=two words' -var api_token=… " + manifest
	if !strings.HasSuffix(r.stderr, "Once that is fixed, resume with:\n  "+want+"\n") {
		t.Errorf("the halt does not end with the resume command\n  %s\nstderr:\n%s", want, tail(r.stderr, 3000))
	}
	if !strings.Contains(r.stderr, "Check first: step core/sm-chi/1/backup failed on node sm-chi: check its output and exit code (runbook show "+r.recordDir(t)+")") {
		t.Errorf("the halt does not say what to check first:\n%s", tail(r.stderr, 3000))
	}
	if strings.Contains(r.stderr+r.stdout, secret) {
		t.Errorf("the sensitive value was printed")
	}
	if last := lastLine(r.stdout); last != "Change record: "+r.recordDir(t) {
		t.Errorf("stdout does not end with the record path: %q", last)
	}

	// The printed command resumes the run (the fault fires once: the
	// backup now succeeds).
	args := []string{"apply", "--resume", "--lab", "--auto-approve", "--no-color", "--lab-dir", r.lab, "--records", r.records,
		"--cluster", "smgr", "--cluster", "core", "-var", "note=two words", "-var", "api_token=" + secret, manifest}
	stdout, stderr, code := runCLI(t, "", args...)
	if code == 1 {
		t.Fatalf("the resume command was refused:\n%s", tail(stderr, 3000))
	}
	if !strings.Contains(stderr+stdout, "resum") {
		t.Errorf("the resumed run does not say it resumes:\nstdout:\n%s\nstderr:\n%s", tail(stdout, 2000), tail(stderr, 2000))
	}
}

// TestGuardHaltSaysWhatToCheck: a runtime guard's refusal names the guard,
// the node and step, and what to check for that guard.
func TestGuardHaltSaysWhatToCheck(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", labNode("sm-chi", `blocked_ports = [61617]`))
	r := applyLab(t, manifest)
	wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab with a blocked port")
	if !strings.Contains(r.stderr, "Check first: guard firewall.ports refused node sm-chi at step ") ||
		!strings.Contains(r.stderr, "check "+guardHints["firewall.ports"]) {
		t.Errorf("the halt does not say what to check for firewall.ports:\n%s", tail(r.stderr, 3000))
	}
	if !strings.Contains(r.stderr, "resume with:\n  runbook apply --resume --lab --lab-dir "+r.lab) {
		t.Errorf("no resume command:\n%s", tail(r.stderr, 3000))
	}
	// show's guard table has the refusal.
	stdout, stderr, code := runCLI(t, "", "show", r.recordDir(t))
	wantCode(t, code, 0, stdout, stderr, "show")
	if i := strings.Index(stdout, "\nGuards\n"); i < 0 || !regexp.MustCompile(`firewall\.ports\s+fail\s+sm-chi`).MatchString(stdout[i:]) {
		t.Errorf("show's Guards table does not list firewall.ports fail on sm-chi:\n%s", stdout)
	}
}

// TestResumeCommandFlags: the resume command keeps what shapes the run and
// quotes what the shell would split.
func TestResumeCommandFlags(t *testing.T) {
	o := &applyOpts{records: "records", timeScale: 1, parallel: 2, keepGoing: true}
	o.vars = stringsFlag{"target=10.2.0.1"}
	o.varFiles = stringsFlag{"prod vars.hcl"}
	o.clusters = stringsFlag{"core", "smgr"}
	o.limit = stringsFlag{"bsm-*", "sm-dal"}
	got := resumeCommand(o, filepath.Join("ops", "upgrade.hcl"), nil)
	want := "runbook apply --resume --cluster core --cluster smgr --limit 'bsm-*' --limit sm-dal --parallel 2 --keep-going -var-file 'prod vars.hcl' -var target=10.2.0.1 ops/upgrade.hcl"
	if got != want {
		t.Errorf("resume command\n got %s\nwant %s", got, want)
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
