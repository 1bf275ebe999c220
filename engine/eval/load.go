package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/manifest"
)

// LoadOptions says where the manifest is and which variable values to use.
type LoadOptions struct {
	// Path is a manifest file or a directory of *.hcl files. Ignored when
	// Files is set.
	Path string
	// Files is the manifest as file name → content, for callers (tests, the
	// lab) that hold it in memory.
	Files map[string][]byte
	// Vars are -var options ("name=value"), in command-line order.
	Vars []string
	// VarFiles are -var-file paths (HCL, or JSON when named *.json), in order.
	VarFiles []string
	// Env is the environment ("KEY=value"); only RUNBOOK_VAR_name entries are
	// read. nil reads nothing: the CLI passes os.Environ().
	Env []string
	// Pinned are the values a saved plan was made with, by variable name.
	// They stand in for the variables' defaults (every other source wins),
	// so a variable given nothing at apply keeps the reviewed value and the
	// caller can compare a value given again with the pinned one.
	Pinned map[string]cty.Value
	// MaxSize limits the manifest's total size in bytes when read from
	// Path; 0 means manifest.DefaultMaxSize.
	MaxSize int64
	// AllowUnset makes a required variable without a value unknown instead
	// of an error, as Terraform's validate does: evaluation goes on with
	// unknowns, and Config.Unknown lists the attributes that could not be
	// evaluated for want of a value. validate sets it; plan and apply need
	// every value.
	AllowUnset bool
}

// Load parses and evaluates a manifest. Values come, in increasing
// precedence, from variable defaults, RUNBOOK_VAR_name, -var-file files and
// -var options. The returned Config is never nil: even when diagnostics hold
// errors it carries Files, so the caller can print snippets; its other fields
// are then partial and must not be used.
func Load(opts LoadOptions) (*Config, hcl.Diagnostics) {
	cfg := &Config{Variables: map[string]Variable{}, Connections: map[string]*Connection{}, Files: map[string][]byte{}}
	files := opts.Files
	var diags hcl.Diagnostics
	if files == nil {
		files, diags = manifest.ReadPathMax(opts.Path, opts.MaxSize)
		if info, err := os.Stat(opts.Path); err == nil && info.IsDir() {
			cfg.Dir = opts.Path
		} else if opts.Path != "" {
			cfg.Dir = filepath.Dir(opts.Path)
		}
	}
	for name, src := range files {
		cfg.Files[name] = src
	}
	cfg.SHA256 = hashFiles(files)
	if diags.HasErrors() {
		return cfg, diags
	}
	m, pdiags := manifest.Parse(files)
	diags = append(diags, pdiags...)
	if m.Incomplete {
		return cfg, diags
	}
	return cfg, append(diags, Evaluate(m, cfg, opts)...)
}

// Evaluate fills cfg from a parsed manifest. Load calls it; it is exported
// for callers that parse themselves. opts.Path and opts.Files are not used.
func Evaluate(m *manifest.Manifest, cfg *Config, opts LoadOptions) hcl.Diagnostics {
	if cfg.Variables == nil {
		cfg.Variables = map[string]Variable{}
	}
	if cfg.Connections == nil {
		cfg.Connections = map[string]*Connection{}
	}
	if cfg.Files == nil {
		cfg.Files = map[string][]byte{}
	}
	e := &evaluator{
		m: m, cfg: cfg, secrets: map[string]struct{}{},
		vars: map[string]bool{}, locals: map[string]bool{}, allowUnset: opts.AllowUnset,
		ctx: &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: Functions()},
	}
	for _, v := range m.Variables {
		e.vars[v.Name] = true
	}
	for _, a := range m.Locals {
		e.locals[a.Name] = true
	}
	e.ctx.Variables["var"] = e.variables(opts)
	e.ctx.Variables["local"] = e.evalLocals()
	cfg.Ctx = e.ctx
	for _, part := range []struct {
		block string
		eval  func()
	}{
		{"runbook", e.runbook}, {"connection", e.connections}, {"artifact", e.artifacts}, {"backup", e.backup},
		{"node", e.nodes}, {"step", e.steps}, {"guard", e.guards}, {"lab", e.lab},
	} {
		e.block = part.block
		part.eval()
	}
	cfg.Profiles = m.Profiles
	cfg.Secrets = slices.Sorted(maps.Keys(e.secrets))
	scrub(e.diags, cfg.Secrets)
	return e.diags
}

// scrub replaces secrets in diagnostic texts: some function errors quote
// their argument, which may come from a sensitive variable. Very short
// secrets are left alone, since replacing every "1" would garble messages
// while hiding nothing.
func scrub(diags hcl.Diagnostics, secrets []string) {
	for _, d := range diags {
		for _, s := range secrets {
			if len(s) >= 3 {
				d.Summary = strings.ReplaceAll(d.Summary, s, "(sensitive)")
				d.Detail = strings.ReplaceAll(d.Detail, s, "(sensitive)")
			}
		}
	}
}

// hashFiles is the manifest hash: sha256 over each file's name and content,
// in name order (base names), each length-prefixed so that no two manifests collide by
// moving bytes between a name and a content.
func hashFiles(files map[string][]byte) string {
	h := sha256.New()
	for _, n := range slices.Sorted(maps.Keys(files)) {
		// The base name keeps the hash independent of the directory the
		// command was run from.
		base := filepath.Base(n)
		h.Write([]byte(strconv.Itoa(len(base)) + ":" + base + "\n"))
		h.Write([]byte(strconv.Itoa(len(files[n])) + ":"))
		h.Write(files[n])
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
