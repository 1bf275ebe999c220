package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/engine/catalog"
)

type releasesOpts struct{ manifestFlags }

func releasesCommand() *command {
	return &command{
		name:    "releases",
		summary: "Print the release catalog: lines, latest versions and SSPs, supported hops, platforms.",
		help: `Examples:
  runbook releases
  runbook releases --catalog vendor-2027.hcl`,
		maxArgs: 0,
		flags: func(fs *flag.FlagSet) any {
			o := &releasesOpts{}
			o.register(fs)
			return o
		},
		run: func(io *stdio, opts any, _ []string) error {
			o := opts.(*releasesOpts)
			cat, src, diags := loadCatalog(o.catalog)
			l := &loaded{cat: cat, diags: diags, files: map[string][]byte{o.catalog: src}}
			if diags.HasErrors() {
				printErrors(io, &o.manifestFlags, l)
				return errReported
			}
			writeReleases(io.out, l.cat)
			return nil
		},
	}
}

func writeReleases(w io.Writer, cat *catalog.Catalog) {
	for i, name := range cat.ProductNames() {
		p := cat.Product(name)
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  line\tlatest\tlatest SSP\tplatforms\n")
		for _, l := range p.Lines {
			ssp := "-"
			if l.LatestSSP >= 0 {
				ssp = fmt.Sprint(l.LatestSSP)
			}
			plats := strings.Join(l.Platforms, ", ")
			if plats == "" {
				plats = "any"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Name, l.Latest, ssp, plats)
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "  supported hops (and any move inside a line to its latest):\n")
		for _, h := range p.Hops {
			var cond []string
			if h.RequiresLatest {
				cond = append(cond, "from the latest of "+h.From+" ("+cat.Latest(name, h.From)+")")
			}
			if h.MinFrom != "" {
				cond = append(cond, "from "+h.MinFrom+" or later")
			}
			if h.RequiresSSP {
				cond = append(cond, "with the latest SSP")
			}
			c := ""
			if len(cond) > 0 {
				c = ": " + strings.Join(cond, ", ")
			}
			fmt.Fprintf(w, "    %s.x -> %s.x%s\n", h.From, h.To, c)
		}
	}
	if len(cat.Platforms) > 0 {
		fmt.Fprintf(w, "\nplatform notes\n")
		for _, name := range slices.Sorted(maps.Keys(cat.Platforms)) {
			pl := cat.Platforms[name]
			fmt.Fprintf(w, "  %s (%s): %s\n", pl.Name, pl.Rule, pl.Hint)
		}
	}
	fmt.Fprintf(w, "\nlimits: %d core SM instances per manifest, %d release lines per cluster at any moment\n",
		cat.Rules.ClusterSize, cat.Rules.MaxLines)
}
