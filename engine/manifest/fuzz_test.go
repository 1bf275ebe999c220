package manifest_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/manifest"
)

// FuzzLoad feeds arbitrary bytes through the whole front end — parse,
// evaluate, print diagnostics, format, diff, and evaluate every step argument
// and guard per node — and asserts only that nothing panics: bad input must
// always come back as diagnostics.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/fixtures/*.hcl", "testdata/fixtures/*/*.hcl", "testdata/valid/*.hcl",
		"../eval/testdata/fixtures/*.hcl", "../eval/testdata/valid/*.hcl"} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			src, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	// Small seeds let the mutator reach corners the full manifests bury.
	for _, s := range []string{
		`runbook "r" { target = "10.2.0.1" }`,
		"locals {\n a = local.b\n b = \"${local.a}\"\n}\n",
		"variable \"v\" {\n type = list(string)\n sensitive = true\n default = [\"a\"]\n validation {\n condition = length(var.v) > 0\n error_message = \"e\"\n }\n}\n",
		"step \"s\" {\n module = \"wait\"\n duration = \"${node.name}s\"\n depends_on = [step.s]\n}\n",
		"lab {\n node \"n\" { clock_skew = \"-1m\" }\n}\n",
		"runbook \"r\" {\n policy { durations = { backup = \"1m\" } }\n window {\n start = \"2026-01-01T00:00:00Z\"\n end = \"2026-01-01T01:00:00Z\"\n }\n}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		files := map[string][]byte{"fuzz.hcl": src}
		cfg, diags := eval.Load(eval.LoadOptions{Files: files, Vars: []string{}, Env: []string{"RUNBOOK_VAR_x=1"}})
		if cfg == nil {
			t.Fatal("Load returned a nil Config")
		}
		if err := manifest.WriteDiagnostics(io.Discard, cfg.Files, diags, 78, true); err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if d.Subject != nil && d.Subject.Filename != "fuzz.hcl" && d.Subject.Filename != "" && d.Subject.Filename[0] != '<' {
				t.Fatalf("diagnostic points at an unknown file %q", d.Subject.Filename)
			}
		}
		formatted := manifest.Format(src)
		_ = manifest.Diff("fuzz.hcl", src, formatted)
		if diags.HasErrors() || cfg.Ctx == nil {
			return
		}
		for _, n := range cfg.AllNodes() {
			ctx := cfg.NodeContextFor(n, nil)
			for _, s := range cfg.Steps {
				for _, expr := range s.Args {
					eval.EvalString(expr, ctx)
				}
			}
			for _, g := range cfg.Guards {
				if g.Condition != nil {
					eval.EvalBool(g.Condition, ctx)
				}
				if g.Message != nil {
					eval.EvalString(g.Message, ctx)
				}
			}
		}
	})
}
