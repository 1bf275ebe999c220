package eval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
)

// TestMaxFailedBranches: policy.max_failed_branches reads a count or a
// percentage, refuses anything else at the attribute, and its budget is
// spent when more branches failed than it allows.
func TestMaxFailedBranches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value string
		want  eval.FailBudget
		err   string
	}{
		{value: `2`, want: eval.FailBudget{Set: true, Count: 2}},
		{value: `"2"`, want: eval.FailBudget{Set: true, Count: 2}},
		{value: `"10%"`, want: eval.FailBudget{Set: true, Count: 10, Percent: true}},
		{value: `0`, want: eval.FailBudget{Set: true}},
		{value: `-1`, err: "Invalid failure budget"},
		{value: `1.5`, err: "Invalid failure budget"},
		{value: `"150%"`, err: "at most 100%"},
		{value: `"many"`, err: "Invalid failure budget"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		src := "runbook \"r\" {\n  target = \"10.2.0.1\"\n  policy {\n    max_failed_branches = " + c.value + "\n  }\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "r.hcl"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, diags := eval.Load(eval.LoadOptions{Path: dir})
		if c.err != "" {
			if !diags.HasErrors() || !strings.Contains(diags.Error(), c.err) || !strings.Contains(diags.Error(), "r.hcl:4,") {
				t.Errorf("%s: diagnostics %v, want an error %q at line 4", c.value, diags, c.err)
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%s: %v", c.value, diags)
			continue
		}
		if got := cfg.Runbook.Policy.MaxFailedBranches; got != c.want {
			t.Errorf("%s: budget %+v, want %+v", c.value, got, c.want)
		}
	}

	spent := []struct {
		b             eval.FailBudget
		failed, total int
		want          bool
	}{
		{eval.FailBudget{}, 1, 10, true}, // unset: the first failure
		{eval.FailBudget{}, 0, 10, false},
		{eval.FailBudget{Set: true, Count: 1}, 1, 10, false},
		{eval.FailBudget{Set: true, Count: 1}, 2, 10, true},
		{eval.FailBudget{Set: true, Count: 25, Percent: true}, 1, 4, false},
		{eval.FailBudget{Set: true, Count: 25, Percent: true}, 2, 4, true},
		{eval.FailBudget{Set: true, Count: 10, Percent: true}, 1, 5, true},
	}
	for _, c := range spent {
		if got := c.b.Exceeded(c.failed, c.total); got != c.want {
			t.Errorf("%s: %d of %d failed: exceeded %v, want %v", c.b, c.failed, c.total, got, c.want)
		}
	}
}
