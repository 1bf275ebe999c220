package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// SynthesizeMissing covers the media a plan needs that no artifact block
// provides at all (the plan's artifact.missing warnings: typically the SSP
// pass inserted for nodes whose SSP level the manifest does not declare).
// For each, it writes a medium into the lab and appends an artifact block to
// cfg, named "lab-…", so that the plan compiled again from cfg uploads it.
// It returns what it added (nothing when the plan lacks no medium); the
// caller then compiles the plan again. A rehearsal thus runs every example
// as shipped, while a real apply still refuses a plan with missing media.
func (l *Lab) SynthesizeMissing(cfg *eval.Config, p *plan.Plan) ([]Synthesized, error) {
	kinds := map[string]rollout.Kind{}
	for _, n := range p.Nodes {
		kinds[n.Name] = n.Kind
	}
	var added []Synthesized
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if !s.Phase.Spec().Medium {
			continue
		}
		m := sim.Media{Kind: "release", Release: s.Hop.To}
		if s.Phase.Spec().Effect == rollout.EffectSSP {
			lvl, err := strconv.Atoi(s.Args["ssp"])
			if err != nil || lvl <= 0 {
				continue
			}
			m = sim.Media{Kind: "ssp", Release: s.Hop.From, SSP: lvl}
		}
		if s.Args["media"] != "" {
			continue
		}
		m.Product = kinds[s.Node].Spec().Product
		name := mediaName(m)
		if seen[name] {
			continue
		}
		seen[name] = true
		dir := filepath.Join(l.dir, "media")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		file := filepath.Join(dir, name+".bin")
		sum, err := sim.WriteMedia(file, m)
		if err != nil {
			return nil, fmt.Errorf("lab: medium for %s: %w", s.ID, err)
		}
		cfg.Artifacts = append(cfg.Artifacts, &eval.Artifact{Name: name, Kind: m.Kind, Product: m.Product,
			Release: m.Release, SSP: m.SSP, File: file, SHA256: sum})
		added = append(added, Synthesized{Artifact: name, File: file, SHA256: sum,
			Kind: m.Kind, Product: m.Product, Release: m.Release, SSP: m.SSP})
	}
	l.mu.Lock()
	l.synth = append(l.synth, added...)
	l.mu.Unlock()
	return added, nil
}

// mediaName names a synthesized artifact and its file.
func mediaName(m sim.Media) string {
	short := "sm"
	if m.Product == rollout.ProductSMGR {
		short = "smgr"
	}
	if m.Kind == "ssp" {
		return fmt.Sprintf("lab-%s-%s-ssp%d", short, m.Release, m.SSP)
	}
	return fmt.Sprintf("lab-%s-%s", short, m.Release)
}
