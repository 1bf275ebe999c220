package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// exampleNames are the folders under examples/.
var exampleNames = []string{"core-cluster", "mixed-fleet", "enterprise", "refused"}

// transcript is one command's output as a golden file holds it.
func transcript(stdout, stderr string, code int) string {
	return fmt.Sprintf("exit: %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr)
}

// TestGoldenExamples pins validate, plan and plan --json of every example:
// the diagnostics with their file:line:col, the human plan and the plan
// document.
func TestGoldenExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range exampleNames {
		t.Run(ex, func(t *testing.T) {
			t.Parallel()
			path := examples + "/" + ex
			wantExit := 0
			if ex == "refused" {
				wantExit = 1
			}
			cases := []struct {
				name string
				args []string
			}{
				{"validate", []string{"validate", "--no-color", path}},
				{"plan", []string{"plan", "--no-color", path}},
				{"plan-json", []string{"plan", "--json", "--no-color", path}},
			}
			for _, c := range cases {
				stdout, stderr, code := runCLI(t, "", c.args...)
				wantCode(t, code, wantExit, stdout, stderr, c.args...)
				golden(t, c.name+"-"+ex, transcript(stdout, stderr, code))
				if c.name == "plan-json" {
					checkPlanDoc(t, stdout, ex)
				}
			}
		})
	}
}

// checkPlanDoc asserts what the plan document must hold whatever the golden
// file says: it parses, and the refused example names its three rules.
func checkPlanDoc(t *testing.T, doc, ex string) {
	t.Helper()
	var p struct {
		FormatVersion string            `json:"format_version"`
		Steps         []json.RawMessage `json:"steps"`
		Diagnostics   []struct {
			Severity, Rule string
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("plan --json of %s does not parse: %v", ex, err)
	}
	if p.FormatVersion != "1" {
		t.Errorf("format_version %q, want 1", p.FormatVersion)
	}
	if ex != "refused" {
		if len(p.Steps) == 0 {
			t.Errorf("plan of %s has no steps", ex)
		}
		return
	}
	errs := map[string]bool{}
	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			errs[d.Rule] = true
		}
	}
	for _, rule := range []string{"platform.avp", "path.multi_hop", "bsm.above_core"} {
		if !errs[rule] {
			t.Errorf("refused plan has no error %s; errors: %v", rule, errs)
		}
	}
}

func TestRefusedNamesGuards(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"validate", "plan"} {
		stdout, stderr, code := runCLI(t, "", cmd, "--no-color", examples+"/refused")
		wantCode(t, code, 1, stdout, stderr, cmd)
		for _, rule := range []string{"platform.avp", "path.multi_hop", "bsm.above_core"} {
			if !strings.Contains(stderr, rule) {
				t.Errorf("%s refused: stderr does not name %s:\n%s", cmd, rule, stderr)
			}
		}
	}
}

func TestGoldenGraph(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"dot", "mermaid"} {
		args := []string{"graph", "--format", format, examples + "/core-cluster"}
		stdout, stderr, code := runCLI(t, "", args...)
		wantCode(t, code, 0, stdout, stderr, args...)
		golden(t, "graph-"+format+"-core-cluster", stdout)
		want := map[string]string{"dot": "digraph", "mermaid": "flowchart"}[format]
		if !strings.Contains(stdout, want) || !strings.Contains(stdout, "sm-dal") {
			t.Errorf("graph --format %s: no %q naming sm-dal:\n%s", format, want, stdout)
		}
	}
}

func TestGoldenReleases(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runCLI(t, "", "releases")
	wantCode(t, code, 0, stdout, stderr, "releases")
	golden(t, "releases", stdout)
	for _, s := range []string{"10.2", "8.1.3.8", "7.1.3.8"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("releases does not mention %s", s)
		}
	}
}

// TestFmtCheckExamples: the shipped examples are in canonical layout.
func TestFmtCheckExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range exampleNames {
		stdout, stderr, code := runCLI(t, "", "fmt", "--check", examples+"/"+ex)
		wantCode(t, code, 0, stdout, stderr, "fmt", "--check", ex)
	}
}

func TestPlanDetailedExitcode(t *testing.T) {
	t.Parallel()
	args := []string{"plan", "--detailed-exitcode", examples + "/core-cluster"}
	stdout, stderr, code := runCLI(t, "", args...)
	wantCode(t, code, 2, stdout, stderr, args...)
}
