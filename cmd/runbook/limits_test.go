package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A manifest over the size limit is refused with the flag that raises it,
// and the flag does raise it (validate and fmt alike).
func TestMaxManifestSize(t *testing.T) {
	t.Parallel()
	path := examples + "/core-cluster"
	stdout, stderr, code := runCLI(t, "", "validate", "--no-color", "--max-manifest-size", "1KiB", path)
	wantCode(t, code, 1, stdout, stderr, "validate --max-manifest-size 1KiB")
	if !strings.Contains(stderr, "Manifest too large") || !strings.Contains(stderr, "1 KiB") || !strings.Contains(stderr, "--max-manifest-size") {
		t.Errorf("want a size error naming the limit and the flag:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, "", "validate", "--no-color", "--max-manifest-size", "1MiB", path)
	wantCode(t, code, 0, stdout, stderr, "validate --max-manifest-size 1MiB")
	stdout, stderr, code = runCLI(t, "", "fmt", "--check", "--max-manifest-size", "1KiB", path)
	wantCode(t, code, 1, stdout, stderr, "fmt --max-manifest-size 1KiB")
	if !strings.Contains(stderr, "Manifest too large") {
		t.Errorf("fmt: want the size error:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, "", "validate", "--max-manifest-size", "16MB", path)
	wantCode(t, code, 1, stdout, stderr, "validate --max-manifest-size 16MB")
	if !strings.Contains(stderr, "is not a size") {
		t.Errorf("want the flag error:\n%s", stderr)
	}
}

// A binary file given as the manifest is refused as not text; neither its
// bytes nor the escape sequences in it reach the terminal.
func TestBinaryManifest(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "upgrade.hcl")
	if err := os.WriteFile(file, []byte("\x7fELF\x02\x01\x01\x00\x1b]0;owned\x07\x1b[2J\xff\xfe"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "validate", file)
	wantCode(t, code, 1, stdout, stderr, "validate", file)
	if !strings.Contains(stderr, "Manifest file is not text") || !strings.Contains(stderr, "upgrade.hcl:1:8") {
		t.Errorf("want a not-text error at the NUL byte (1:8):\n%s", stderr)
	}
	for _, bad := range []string{"\x00", "\x07", "\x1b]", "\x1b[2J", "\xff", "ELF"} {
		if strings.Contains(stderr+stdout, bad) {
			t.Errorf("output holds %q:\n%q", bad, stderr)
		}
	}
}

// unsetManifest needs two values: a password (connection only) and, in the
// second form, the target release (which the plan is computed from).
const unsetManifest = `runbook "r" {
  change_id = "CHG0000001"
  target    = %s
}

variable "password" {
  type      = string
  sensitive = true
}

variable "target" {
  type = string
  validation {
    condition     = can(regex("^10[.]", var.target))
    error_message = "The target is a 10.x release."
  }
}

connection "default" {
  password = var.password
}

cluster "core" {
  session_manager "sm-a" {
    host    = "sm-a.example.net"
    release = "8.1.3.8"
    ssp     = 99
  }
}
`

// validate needs no variable values; plan and apply still do.
func TestValidateWithoutVariableValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	connOnly := filepath.Join(dir, "conn.hcl")
	planInput := filepath.Join(t.TempDir(), "target.hcl")
	if err := os.WriteFile(connOnly, []byte(fmt.Sprintf(unsetManifest, `"10.2.0.1"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planInput, []byte(fmt.Sprintf(unsetManifest, "var.target")), 0o600); err != nil {
		t.Fatal(err)
	}

	// Only the connection waits for a value: the static guards still run.
	stdout, stderr, code := runCLI(t, "", "validate", "--no-color", connOnly)
	wantCode(t, code, 0, stdout, stderr, "validate", connOnly)
	if !strings.Contains(stderr, "artifact.missing") || strings.Contains(stderr, "required variable") {
		t.Errorf("validate: want the static guards and no variable error:\n%s", stderr)
	}

	// The target waits for a value: valid, with a warning naming it.
	stdout, stderr, code = runCLI(t, "", "validate", "--no-color", planInput)
	wantCode(t, code, 0, stdout, stderr, "validate", planInput)
	if !strings.Contains(stderr, "Static guards not checked") || !strings.Contains(stderr, "var.target") || !strings.Contains(stderr, "target.hcl:3:") {
		t.Errorf("validate: want a warning at the target naming var.target:\n%s", stderr)
	}

	// Given values are still validated.
	stdout, stderr, code = runCLI(t, "", "validate", "--no-color", "-var", "target=8.1.3.8", planInput)
	wantCode(t, code, 1, stdout, stderr, "validate -var target=8.1.3.8", planInput)
	if !strings.Contains(stderr, "The target is a 10.x release.") {
		t.Errorf("validate: want the validation rule's message:\n%s", stderr)
	}

	// plan requires every value.
	for _, f := range []string{connOnly, planInput} {
		stdout, stderr, code = runCLI(t, "", "plan", "--no-color", f)
		wantCode(t, code, 1, stdout, stderr, "plan", f)
		if !strings.Contains(stderr, "No value for required variable") {
			t.Errorf("plan %s: want the required-variable error:\n%s", f, stderr)
		}
	}
}
