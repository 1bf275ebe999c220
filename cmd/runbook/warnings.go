package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/manifest"
)

// registerWarnings adds -compact-warnings, to the commands that report the
// manifest's warnings (validate, plan, apply); the others print errors only.
func (m *manifestFlags) registerWarnings(fs *flag.FlagSet) {
	fs.BoolVar(&m.compactWarnings, "compact-warnings", false, "when there are warnings and no errors, print one line per warning (its summary and where) instead of the full notes")
}

// printErrors writes only the error diagnostics: the commands that read a
// manifest without judging it (graph, lab, releases) leave its warnings to
// validate, plan and apply, so a pipeline prints each warning once.
func printErrors(io *stdio, mf *manifestFlags, l *loaded) {
	var errs hcl.Diagnostics
	for _, d := range l.diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	printDiags(io, mf, &loaded{cfg: l.cfg, diags: errs, files: l.files})
}

// writeCompactWarnings is Terraform's -compact-warnings: a "Warnings:" list
// with one entry per distinct summary, where it is (and how many more places
// say the same), and how to see the full notes.
func writeCompactWarnings(w io.Writer, diags hcl.Diagnostics) {
	type group struct {
		d     *hcl.Diagnostic
		count int
	}
	var order []*group
	bySummary := map[string]*group{}
	for _, d := range diags {
		g := bySummary[d.Summary]
		if g == nil {
			g = &group{d: d}
			bySummary[d.Summary] = g
			order = append(order, g)
		}
		g.count++
	}
	var b strings.Builder
	b.WriteString("Warnings:\n\n")
	for _, g := range order {
		fmt.Fprintf(&b, "- %s\n", manifest.Sanitize(g.d.Summary))
		more := ""
		if g.count > 1 {
			more = fmt.Sprintf(" (and %d more)", g.count-1)
		}
		if r := g.d.Subject; r != nil {
			fmt.Fprintf(&b, "  on %s line %d%s\n", manifest.Sanitize(r.Filename), r.Start.Line, more)
		} else if g.count > 1 {
			fmt.Fprintf(&b, "  (%d occurrences of this warning)\n", g.count)
		}
	}
	b.WriteString("\nTo see the full warning notes, run runbook without -compact-warnings.\n\n")
	_, _ = io.WriteString(w, b.String())
}
