package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/manifest/fixture"
	"github.com/runbook-dev/runbook/engine/plan"
)

// TestGuardFixtures loads every manifest under testdata/guards, compiles it
// and checks the diagnostics of both stages against the inline markers.
func TestGuardFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/guards/*.hcl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	seen := map[string]bool{}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			cfg, diags := eval.Load(eval.LoadOptions{Path: p})
			if !diags.HasErrors() {
				_, pd := plan.Compile(cfg, catalog.Default(), plan.Options{})
				diags = append(diags, pd...)
			}
			fixture.Check(t, p, diags)
		})
		src, _ := os.ReadFile(p)
		for rule := range guard.Static {
			if strings.Contains(string(src), ": "+rule) {
				seen[rule] = true
			}
		}
	}
	for rule := range guard.Static {
		if !seen[rule] && rule != guard.PlanCycle {
			t.Errorf("no fixture under testdata/guards marks %s", rule)
		}
	}
}
