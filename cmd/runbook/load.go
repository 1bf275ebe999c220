package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/driver"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/engine/plan"
)

// manifestFlags are the flags of every command that reads a manifest.
type manifestFlags struct {
	vars     stringsFlag
	varFiles stringsFlag
	catalog  string
	noColor  bool
	// pinned are a saved plan's variable values (not a flag): apply
	// PLANFILE loads the manifest with them standing in for the defaults.
	pinned  map[string]cty.Value
	maxSize sizeFlag
	// compactWarnings is -compact-warnings (validate, plan and apply only).
	compactWarnings bool
}

func (m *manifestFlags) register(fs *flag.FlagSet) {
	fs.Var(&m.vars, "var", "set a variable: `name=value` (repeatable)")
	fs.Var(&m.varFiles, "var-file", "read variables from an HCL or JSON `FILE` (repeatable)")
	fs.StringVar(&m.catalog, "catalog", "", "use this release catalog `FILE` instead of the embedded one")
	fs.BoolVar(&m.noColor, "no-color", false, "print diagnostics without colour")
	fs.Var(&m.maxSize, "max-manifest-size", "refuse manifests larger than `SIZE`, all files together (default 16MiB)")
}

// loaded is a manifest, the catalog it is planned against and every
// diagnostic so far.
type loaded struct {
	cfg   *eval.Config
	cat   *catalog.Catalog
	diags hcl.Diagnostics
	files map[string][]byte
	// drv is the product driver: the catalog and the command profile
	// (the manifest's profile blocks over the embedded one), built once by
	// loadDriver and used by every command that renders, reads or runs.
	drv *driver.Driver
}

// load reads, parses and evaluates the manifest at path, and the catalog.
func load(io *stdio, mf *manifestFlags, path string) *loaded {
	return loadWith(io, mf, path, false)
}

// loadWith is load; allowUnset leaves required variables without a value
// unknown instead of an error (validate).
func loadWith(io *stdio, mf *manifestFlags, path string, allowUnset bool) *loaded {
	if path == "" {
		path = "."
	}
	cfg, diags := eval.Load(eval.LoadOptions{Path: path, Vars: mf.vars, VarFiles: mf.varFiles, Env: io.env,
		MaxSize: int64(mf.maxSize), AllowUnset: allowUnset, Pinned: mf.pinned})
	l := &loaded{cfg: cfg, diags: diags, files: map[string][]byte{}}
	for k, v := range cfg.Files {
		l.files[k] = v
	}
	cat, src, cdiags := loadCatalog(mf.catalog)
	l.cat = cat
	if src != nil {
		l.files[mf.catalog] = src
	}
	l.diags = append(l.diags, cdiags...)
	return l
}

// loadCatalog returns the embedded catalog, or the one at path when given.
func loadCatalog(path string) (*catalog.Catalog, []byte, hcl.Diagnostics) {
	if path == "" {
		return catalog.Default(), nil, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return catalog.Default(), nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the catalog",
			Detail: fmt.Sprintf("%v. Check the --catalog path.", err)}}
	}
	cat, diags := catalog.Load(src, path)
	if diags.HasErrors() {
		return catalog.Default(), src, diags
	}
	return cat, src, diags
}

// compile loads the manifest and compiles the plan. The plan is nil when the
// manifest itself did not evaluate.
func compile(io *stdio, mf *manifestFlags, path string, opts plan.Options) (*loaded, *plan.Plan) {
	l := load(io, mf, path)
	return l, l.compile(opts)
}

// compile compiles the plan of a loaded manifest, adding its diagnostics; nil
// when the manifest or its profile blocks did not evaluate.
func (l *loaded) compile(opts plan.Options) *plan.Plan {
	if l.diags.HasErrors() {
		return nil
	}
	if !l.loadDriver() {
		return nil
	}
	if opts.Commands == nil {
		opts.Commands = l.drv.Commands
	}
	p, diags := plan.Compile(l.cfg, l.cat, opts)
	l.diags = append(l.diags, diags...)
	return p
}

// loadDriver decodes the manifest's profile blocks over the embedded
// profile and builds the product driver from it and the catalog, once,
// adding the blocks' diagnostics; false when they have errors.
func (l *loaded) loadDriver() bool {
	if l.drv != nil {
		return true
	}
	prof, diags := profileFor(l.cfg)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return false
	}
	l.drv = driver.New(l.cat, prof)
	return true
}

// foldFew is how many nodes a folded warning names.
const foldFew = 5

// printDiags writes diagnostics the way Terraform users expect: file:line:col,
// the source snippet and a caret, with the fix hint in the detail; with
// -compact-warnings and no error, one line per warning. Only the commands
// that judge the manifest call it (validate, plan, apply), once each; the
// others call printErrors.
func printDiags(io *stdio, mf *manifestFlags, l *loaded) {
	if len(l.diags) == 0 {
		return
	}
	color := io.colors && !mf.noColor
	red := redactorFor(l.cfg)
	w := red.Writer(io.err)
	if errs, _ := countDiags(l.diags); errs == 0 && mf.compactWarnings {
		// As Terraform: warnings stay in full next to an error, which they
		// often explain.
		writeCompactWarnings(w, l.diags)
	} else {
		// One rule's warnings on many nodes print as one diagnostic naming
		// the first few; plan --json keeps each.
		_ = manifest.WriteDiagnostics(w, l.files, plan.Consolidate(l.diags, foldFew), uint(io.width), color)
	}
	_ = w.Close()
}

// countDiags returns the number of errors and warnings.
func countDiags(diags hcl.Diagnostics) (errs, warns int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}
