package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/runbook-dev/runbook/engine/lab"
)

type labOpts struct {
	manifestFlags
	dir       string
	timeScale float64
	clusters  stringsFlag
}

func labCommand() *command {
	return &command{
		name:    "lab",
		args:    "[PATH]",
		summary: "Run the manifest's fleet as simulated nodes on 127.0.0.1, in the foreground.",
		help: `Starts one SSH server per node of the manifest (the same lab 'apply --lab' uses) and prints
each node's address, the client key and the known_hosts file, so other tools can rehearse
against it. Stops on Ctrl-C.

Examples:
  runbook lab examples/core-cluster
  runbook lab --dir /tmp/fleet --time-scale 30 examples/mixed-fleet`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &labOpts{}
			o.register(fs)
			fs.StringVar(&o.dir, "dir", "", "keep the nodes' state in `DIR` (default: a temporary folder)")
			fs.Float64Var(&o.timeScale, "time-scale", 1, "multiply simulated durations")
			fs.Var(&o.clusters, "cluster", "serve only this cluster `NAME` (repeatable)")
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*labOpts)
			l := load(io, &o.manifestFlags, first(args))
			printErrors(io, &o.manifestFlags, l)
			if l.diags.HasErrors() {
				return errReported
			}
			if err := l.cfg.CheckClusters(o.clusters); err != nil {
				return redactorFor(l.cfg).Err(err)
			}
			ctx, stop := signal.NotifyContext(io.ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			lb, err := lab.Start(ctx, l.cfg, lab.Options{Dir: o.dir, Keep: o.dir != "", Clusters: o.clusters, Catalog: l.cat, TimeScale: o.timeScale})
			if err != nil {
				return redactorFor(l.cfg).Err(err)
			}
			defer lb.Close()
			for _, s := range lb.Synthesized() {
				fmt.Fprintf(io.out, "synthesized %s medium for artifact %q: %s (sha256 %s)\n", s.Kind, s.Artifact, s.File, s.SHA256)
			}
			if err := lb.Describe(io.out); err != nil {
				return err
			}
			fmt.Fprintf(io.out, "\nThe lab is running; Ctrl-C stops it.\n")
			<-ctx.Done()
			return nil
		},
	}
}
