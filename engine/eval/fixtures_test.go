package eval_test

import (
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/manifest/fixture"
)

// TestFixtures loads every fixture under testdata/fixtures and checks its
// diagnostics (parse and evaluation together) against its inline markers.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/fixtures/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			_, diags := eval.Load(eval.LoadOptions{Path: p})
			fixture.Check(t, p, diags)
		})
	}
}

// TestValidManifests loads the valid examples: no diagnostics at all.
func TestValidManifests(t *testing.T) {
	paths, _ := filepath.Glob("testdata/valid/*")
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			_, diags := eval.Load(eval.LoadOptions{Path: p})
			fixture.Check(t, p, diags)
		})
	}
}
