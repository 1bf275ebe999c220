package main

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are set by the Makefile's -ldflags; a plain `go build`
// falls back to the module's build info.
var (
	version = "dev"
	commit  = ""
)

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "Print the version, commit and Go version.",
		help: `Examples:
  runbook version
  runbook --version`,
		flags: func(fs *flag.FlagSet) any { return nil },
		run: func(io *stdio, _ any, _ []string) error {
			c := commit
			if c == "" {
				c = "unknown"
				if bi, ok := debug.ReadBuildInfo(); ok {
					for _, s := range bi.Settings {
						if s.Key == "vcs.revision" && len(s.Value) >= 12 {
							c = s.Value[:12]
						}
					}
				}
			}
			fmt.Fprintf(io.out, "runbook %s (commit %s, %s %s/%s)\n", version, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
