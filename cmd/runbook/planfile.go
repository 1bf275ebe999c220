package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/runbook-dev/runbook/engine/plan"
)

// savedPlan is what 'plan --out' writes: the plan document and what it was
// made with beyond the manifest (variables, media), at the document's top
// level.
type savedPlan struct {
	plan.Plan
	pins
}

// readPlanFile tells a saved plan (a plan document) from a manifest path. For
// a plan it returns the plan and the manifest path it was made from.
func readPlanFile(path string) (*savedPlan, string, error) {
	info, err := os.Stat(path)
	if path == "" || err != nil || info.IsDir() {
		return nil, path, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, path, err
	}
	if !bytes.HasPrefix(bytes.TrimSpace(src), []byte("{")) {
		return nil, path, nil // HCL manifest
	}
	var p savedPlan
	if err := json.Unmarshal(src, &p); err != nil || p.FormatVersion == "" {
		return nil, "", fmt.Errorf("%s is neither a manifest nor a plan document (plan --out): %v", path, err)
	}
	if p.FormatVersion != plan.FormatVersion {
		return nil, "", fmt.Errorf("%s is a plan document of format %q; this runbook reads format %q: make the plan again", path, p.FormatVersion, plan.FormatVersion)
	}
	if p.Manifest == "" {
		return nil, "", fmt.Errorf("%s does not say which manifest it was made from: make it again with 'runbook plan --out'", path)
	}
	if p.Variables == nil || p.Media == nil {
		return nil, "", fmt.Errorf("%s does not pin the variable values and media it was made with (an older runbook made it): make it again with 'runbook plan --out'", path)
	}
	return &p, filepath.Join(filepath.Dir(path), p.Manifest), nil
}

// manifestRef is the manifest path as seen from the plan file's folder.
func manifestRef(planFile, manifest string) string {
	if manifest == "" {
		manifest = "."
	}
	absPlan, err1 := filepath.Abs(planFile)
	absMan, err2 := filepath.Abs(manifest)
	if err1 != nil || err2 != nil {
		return manifest
	}
	if rel, err := filepath.Rel(filepath.Dir(absPlan), absMan); err == nil {
		return rel
	}
	return absMan
}

// checkStale refuses a saved plan whose manifest (and so its declared facts)
// changed since it was made, that the current catalog would order
// differently, or that tells user steps from planned ones otherwise (a plan
// made before steps carried "user" would run a step block named like a
// phase as that phase).
func checkStale(saved, fresh *plan.Plan, manifestSHA string) error {
	if saved.ManifestSHA256 != manifestSHA {
		return fmt.Errorf("stale plan: the manifest changed since the plan was made (sha256 %.12s, now %.12s): run 'runbook plan --out' again and review it",
			saved.ManifestSHA256, manifestSHA)
	}
	stale := !slices.Equal(saved.Order, fresh.Order)
	for _, s := range fresh.Steps {
		if o := saved.StepByID(s.ID); o == nil || o.User != s.User || o.Module != s.Module {
			stale = true
		}
	}
	if stale {
		return fmt.Errorf("stale plan: the same manifest now compiles to a different plan (another catalog or runbook version): run 'runbook plan --out' again and review it")
	}
	return nil
}
