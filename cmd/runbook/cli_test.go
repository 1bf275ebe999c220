package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// invalidManifest has an unknown attribute (a typo of "release").
const invalidManifest = `runbook "bad" {
  change_id = "CHG1"
  target    = "10.2.0.1"
}

system_manager "smgr" {
  host    = "smgr.example.net"
  relase  = "10.1.3.0"
}
`

func TestInvalidManifest(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "bad.hcl")
	if err := os.WriteFile(file, []byte(invalidManifest), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "validate", "--no-color", file)
	wantCode(t, code, 1, stdout, stderr, "validate", file)
	if !strings.Contains(stderr, "relase") || !strings.Contains(stderr, "bad.hcl:8:3") || !strings.Contains(stderr, `"release"`) {
		t.Errorf("validate: want the unknown attribute at bad.hcl:8:3 with a did-you-mean \"release\" hint:\n%s", stderr)
	}

	stdout, stderr, code = runCLI(t, "", "plan", "--json", "--no-color", file)
	wantCode(t, code, 1, stdout, stderr, "plan", "--json", file)
	var doc struct {
		FormatVersion string `json:"format_version"`
		Diagnostics   []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Range    *struct {
				Line int `json:"line"`
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("plan --json of an invalid manifest is not a document: %v\n%s", err, stdout)
	}
	found := false
	for _, d := range doc.Diagnostics {
		found = found || (d.Severity == "error" && d.Range != nil && d.Range.Line == 8 && strings.Contains(d.Summary, "Unsupported argument"))
	}
	if !found {
		t.Errorf("plan --json: no error diagnostic for the unknown attribute at line 8: %+v", doc.Diagnostics)
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runCLI(t, "", "plna", examples+"/core-cluster")
	wantCode(t, code, 1, stdout, stderr, "plna")
	if !strings.Contains(stderr, `did you mean "plan"`) {
		t.Errorf("unknown command: no did-you-mean hint:\n%s", stderr)
	}
}

// TestHelpEveryCommand: --help and help CMD print each command's examples.
func TestHelpEveryCommand(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		stdout, stderr, code := runCLI(t, "", c.name, "--help")
		wantCode(t, code, 0, stdout, stderr, c.name, "--help")
		if !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "runbook "+c.name) {
			t.Errorf("%s --help prints no examples:\n%s%s", c.name, stdout, stderr)
		}
		stdout, stderr, code = runCLI(t, "", "help", c.name)
		wantCode(t, code, 0, stdout, stderr, "help", c.name)
		if !strings.Contains(stdout, "Examples:") {
			t.Errorf("help %s prints no examples on stdout:\n%s", c.name, stdout)
		}
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		stdout, stderr, code := runCLI(t, "", "completion", shell)
		wantCode(t, code, 0, stdout, stderr, "completion", shell)
		for _, c := range commands() {
			if !strings.Contains(stdout, c.name) {
				t.Errorf("completion %s does not name %s", shell, c.name)
			}
		}
		if shell != "bash" {
			continue
		}
		file := filepath.Join(t.TempDir(), "runbook.bash")
		if err := os.WriteFile(file, []byte(stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", file).CombinedOutput(); err != nil {
			t.Errorf("bash -n rejects the completion script: %v\n%s", err, out)
		}
	}
	stdout, stderr, code := runCLI(t, "", "completion", "tcsh")
	wantCode(t, code, 1, stdout, stderr, "completion", "tcsh")
}
