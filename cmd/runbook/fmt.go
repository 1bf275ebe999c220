package main

import (
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/runbook-dev/runbook/engine/manifest"
)

type fmtOpts struct {
	check   bool
	diff    bool
	noColor bool
	maxSize sizeFlag
}

func fmtCommand() *command {
	return &command{
		name:    "fmt",
		args:    "[PATH]",
		summary: "Rewrite manifest files in canonical HCL layout.",
		help: `Examples:
  runbook fmt examples/core-cluster
  runbook fmt --check --diff .      # CI: exit 1 and show the diff when a file is not formatted`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &fmtOpts{}
			fs.BoolVar(&o.check, "check", false, "change nothing; exit 1 when a file would change")
			fs.BoolVar(&o.diff, "diff", false, "print the changes as a unified diff")
			fs.BoolVar(&o.noColor, "no-color", false, "print diagnostics without colour")
			fs.Var(&o.maxSize, "max-manifest-size", "refuse manifests larger than `SIZE`, all files together (default 16MiB)")
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*fmtOpts)
			path := first(args)
			if path == "" {
				path = "."
			}
			files, diags := manifest.ReadPathMax(path, int64(o.maxSize))
			if diags.HasErrors() {
				_ = manifest.WriteDiagnostics(io.err, files, diags, uint(io.width), io.colors && !o.noColor)
				return errReported
			}
			names := make([]string, 0, len(files))
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			changed := 0
			for _, name := range names {
				out, d := manifest.FormatFile(name, files[name])
				if d.HasErrors() {
					_ = manifest.WriteDiagnostics(io.err, files, d, uint(io.width), io.colors && !o.noColor)
					return errReported
				}
				if string(out) == string(files[name]) {
					continue
				}
				changed++
				if o.diff {
					fmt.Fprint(io.out, manifest.Diff(name, files[name], out))
				} else {
					fmt.Fprintln(io.out, name)
				}
				if !o.check {
					info, err := os.Stat(name)
					if err != nil {
						return err
					}
					if err := os.WriteFile(name, out, info.Mode().Perm()); err != nil {
						return err
					}
				}
			}
			if o.check && changed > 0 {
				fmt.Fprintf(io.err, "%d file(s) are not formatted; run 'runbook fmt %s'.\n", changed, path)
				return errReported
			}
			return nil
		},
	}
}
