package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A large enterprise's warnings: validate prints one diagnostic per rule
// naming the first few nodes and the count; plan --json keeps each verdict.
func TestValidateFoldsOneRulesWarnings(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("runbook \"big\" {\n  target = \"10.2.0.1\"\n}\n")
	for c := 0; c < 4; c++ {
		fmt.Fprintf(&b, "cluster \"site-%d\" {\n", c)
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&b, "  session_manager \"sm-%d-%d\" {\n    host    = \"sm-%d-%d.example.net\"\n    release = \"10.1.3.0\"\n    ssp     = 99\n  }\n", c, i, c, i)
		}
		b.WriteString("}\n")
	}
	file := filepath.Join(t.TempDir(), "big.hcl")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "validate", "--no-color", file)
	wantCode(t, code, 0, stdout, stderr, "validate", file)
	if n := strings.Count(stderr, "Warning: cluster.no_secondary"); n != 1 {
		t.Fatalf("validate printed %d cluster.no_secondary warnings, want 1:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, "cluster.no_secondary warns on 24 nodes: sm-0-0, sm-0-1, sm-0-2, sm-0-3, sm-0-4 and 19 more") {
		t.Fatalf("the folded warning does not name the first nodes and the count:\n%s", stderr)
	}
	if !strings.Contains(stdout, "(25 warning(s))") {
		t.Fatalf("the count still counts every warning: %s", stdout)
	}

	stdout, stderr, code = runCLI(t, "", "plan", "--json", "--no-color", file)
	wantCode(t, code, 0, stdout, stderr, "plan", "--json", file)
	var doc struct {
		Diagnostics []struct {
			Rule string `json:"rule"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range doc.Diagnostics {
		if d.Rule == "cluster.no_secondary" {
			n++
		}
	}
	if n != 24 {
		t.Fatalf("plan --json keeps %d cluster.no_secondary verdicts, want 24", n)
	}
}
