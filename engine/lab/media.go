package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// Synthesized is one artifact whose absent medium the lab wrote.
type Synthesized struct {
	Artifact string // the artifact block's name
	Declared string // the file the manifest names (absent)
	File     string // the medium written in the lab directory
	SHA256   string // its checksum, now the artifact's
	Kind     string // release | ssp
	Product  string
	Release  string
	SSP      int // for kind ssp
}

// SynthesizeMedia writes, into dir, a medium the simulated installers accept
// for every artifact of cfg whose file is absent, and points the artifact at
// it (File and SHA256 are replaced in cfg), so that every example manifest
// rehearses as shipped. Artifacts whose file exists are left alone: their
// checksum is checked by apply as in production. An SSP medium carries the
// artifact's SSP level, or the catalog's latest for its release.
func SynthesizeMedia(cfg *eval.Config, dir string, cat *catalog.Catalog) ([]Synthesized, error) {
	var out []Synthesized
	used := map[string]bool{}
	for _, a := range cfg.Artifacts {
		declared := a.File
		if declared != "" && !filepath.IsAbs(declared) && cfg.Dir != "" {
			declared = filepath.Join(cfg.Dir, declared)
		}
		if declared != "" {
			if _, err := os.Stat(declared); err == nil || !errors.Is(err, fs.ErrNotExist) {
				continue
			}
		}
		m, err := mediaFor(cfg, a, cat)
		if err != nil {
			return nil, fmt.Errorf("lab: artifact %s: %w", a.Name, err)
		}
		file := mediaPath(dir, a, used)
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		sum, err := sim.WriteMedia(file, m)
		if err != nil {
			return nil, fmt.Errorf("lab: artifact %s: %w", a.Name, err)
		}
		out = append(out, Synthesized{Artifact: a.Name, Declared: a.File, File: file, SHA256: sum,
			Kind: m.Kind, Product: m.Product, Release: m.Release, SSP: m.SSP})
		a.File, a.SHA256 = file, sum
	}
	return out, nil
}

// mediaFor describes the medium an artifact stands for. An artifact with no
// product serves SM and BSM nodes when the manifest has any, else SMGR.
func mediaFor(cfg *eval.Config, a *eval.Artifact, cat *catalog.Catalog) (sim.Media, error) {
	m := sim.Media{Kind: a.Kind, Product: a.Product, Release: a.Release}
	if m.Product == "" {
		m.Product = rollout.ProductSM
		if len(cfg.Clusters) == 0 && cfg.SMGR != nil {
			m.Product = rollout.ProductSMGR
		}
	}
	if m.Kind == "ssp" {
		m.SSP = a.SSP
		if m.SSP <= 0 {
			lvl, ok := cat.LatestSSP(m.Product, m.Release)
			if !ok || lvl <= 0 {
				return sim.Media{}, fmt.Errorf("the catalog knows no SSP for %s %s; set ssp in the artifact", m.Product, m.Release)
			}
			m.SSP = lvl
		}
	}
	return m, m.Validate()
}

// mediaPath keeps the declared file's base name (the name the node sees
// after upload), in a numbered subfolder when two artifacts share it.
func mediaPath(dir string, a *eval.Artifact, used map[string]bool) string {
	base := filepath.Base(a.File)
	if a.File == "" || base == "." || base == string(filepath.Separator) {
		base = filepath.Base(a.Name) + ".bin"
	}
	p := filepath.Join(dir, base)
	for i := 2; used[p]; i++ {
		p = filepath.Join(dir, strconv.Itoa(i), base)
	}
	used[p] = true
	return p
}
