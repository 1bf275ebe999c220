package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/runbook-dev/runbook/engine/plan"
)

type planOpts struct {
	manifestFlags
	json             bool
	out              string
	detailedExitcode bool
	refresh          bool
	verbose          bool
}

func planCommand() *command {
	return &command{
		name:    "plan",
		args:    "[PATH]",
		summary: "Compile the ordered step plan and print it in execution order, with estimates and guards.",
		help: `Without --refresh no connection is opened: the plan uses the releases the manifest declares.

Examples:
  runbook plan examples/core-cluster
  runbook plan -v examples/core-cluster                  # every command of every step
  runbook plan --json examples/core-cluster > plan.json
  runbook plan --out core.plan examples/core-cluster && runbook apply core.plan
  runbook plan --detailed-exitcode examples/core-cluster; echo $?   # 2: changes pending`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &planOpts{}
			o.register(fs)
			o.registerWarnings(fs)
			fs.BoolVar(&o.json, "json", false, "print the plan document (JSON) instead of the human view")
			fs.StringVar(&o.out, "out", "", "save the plan document to `FILE` for a later apply")
			fs.BoolVar(&o.detailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has steps to run, 0 when nothing changes")
			fs.BoolVar(&o.verbose, "v", false, "print every command each step runs, the fact reads included")
			fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
			fs.BoolVar(&o.refresh, "refresh", false, "read real facts from the nodes over SSH (read-only) instead of the declared ones")
			return o
		},
		run: runPlan,
	}
}

func runPlan(io *stdio, opts any, args []string) error {
	o := opts.(*planOpts)
	l := load(io, &o.manifestFlags, first(args))
	popts := plan.Options{}
	if o.refresh && !l.diags.HasErrors() {
		facts, err := refreshFacts(io, l)
		if err != nil {
			return err
		}
		popts.Facts = facts
	}
	p := l.compile(popts)
	printDiags(io, &o.manifestFlags, l)
	red := redactorFor(l.cfg)
	if p == nil {
		// An invalid manifest still gives a document with its diagnostics.
		p = &plan.Plan{FormatVersion: plan.FormatVersion, ManifestSHA256: l.cfg.SHA256, Nodes: []*plan.Node{},
			Steps: []*plan.Step{}, Order: []string{}, Diagnostics: plan.ToDiagnostics(l.diags)}
	}
	var doc any = p
	if o.out != "" {
		p.Manifest = manifestRef(o.out, first(args))
		if !l.diags.HasErrors() {
			// apply PLANFILE runs with the values and media reviewed now.
			pn, err := makePins(l.cfg, p)
			if err != nil {
				return red.Err(err)
			}
			doc = &savedPlan{Plan: *p, pins: *pn}
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	out = append(red.JSON(out), '\n')
	if o.json {
		if _, err := io.out.Write(out); err != nil {
			return err
		}
	} else if !l.diags.HasErrors() {
		w := red.Writer(io.out)
		writePlanText(w, p, newPlanView(l, o.verbose))
		_ = w.Close()
	}
	if l.diags.HasErrors() {
		errs, warns := countDiags(l.diags)
		fmt.Fprintf(io.err, "The plan is refused: %d error(s), %d warning(s).\n", errs, warns)
		return errReported
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, out, 0o600); err != nil {
			return err
		}
		if !o.json {
			fmt.Fprintf(io.out, "\nSaved the plan to %s. Apply it with: runbook apply %s\n", o.out, o.out)
		}
	}
	if o.detailedExitcode && len(p.Steps) > 0 {
		return changesPendingError{}
	}
	return nil
}
