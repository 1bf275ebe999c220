package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/plan"
)

// applyOpts are apply's flags.
type applyOpts struct {
	manifestFlags
	dryRun      bool
	autoApprove bool
	resume      bool
	clusters    stringsFlag
	limit       stringsFlag
	parallel    int
	json        bool
	lab         bool
	keepGoing   bool
	refresh     bool
	records     string
	commit      bool
	forceUnlock string
	labDir      string
	timeScale   float64
	// ignoreWindow lets apply start outside the maintenance window.
	ignoreWindow bool
	// interruptGrace bounds how long a running change may go on after
	// SIGINT/SIGTERM.
	interruptGrace time.Duration
	// verbose (-v) prints user steps' output live.
	verbose bool
}

func applyCommand() *command {
	return &command{
		name:    "apply",
		args:    "[PATH|PLANFILE]",
		summary: "Execute the plan over SSH (or rehearse it: --dry-run, --lab).",
		help: `PATH is a manifest file or directory; PLANFILE is a plan saved by 'plan --out', refused
when the manifest changed since (stale plan). A plan runs with the variable values it was made
with: -var, -var-file or RUNBOOK_VAR_ values that differ are refused, sensitive ones must be
given again (the plan keeps only their hash), and a medium whose content changed is refused.

Apply gathers facts from every node in scope (facts.drift refuses a node that differs from the
manifest), verifies the media, takes the change's lock, then walks the plan: independent work
concurrently as the plan's dependencies allow, at most --parallel core SMs out of service in
the whole manifest, every runtime guard checked right before the step it protects. Every event goes to records/<change_id>/<time>-apply/journal.jsonl.

The lock lives beside the manifest, in .runbook/<change_id>.lock (with --lab in the lab
folder), whatever the working directory or --records: a second apply of the change is
refused with the lock's id, holder, host, pid and start.

Outside the manifest's maintenance window apply refuses before it connects to any node
(--ignore-window overrides, with a warning in the record); --dry-run still runs. Ctrl-C starts
nothing new; a change already running gets --interrupt-grace to end, then is stopped and its
node reported in unknown state (exit 4). A second Ctrl-C exits at once.

Examples:
  runbook apply --lab --auto-approve examples/core-cluster     # rehearse in the built-in lab
  runbook apply --dry-run examples/core-cluster                # every command, nothing runs, no connection
  runbook apply --dry-run --refresh examples/core-cluster      # read real facts first (read-only)
  runbook apply examples/core-cluster                          # asks for 'yes' on a terminal
  runbook apply --resume examples/core-cluster                 # continue an interrupted run
  runbook apply --limit 'bsm-*' examples/enterprise           # only the branches (their core SMs done)
  runbook apply --json --auto-approve --cluster core upgrade.hcl | jq .`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &applyOpts{}
			o.register(fs)
			o.registerWarnings(fs)
			fs.BoolVar(&o.dryRun, "dry-run", false, "change nothing: print every command in order with the guard verdicts against the predicted state")
			fs.BoolVar(&o.autoApprove, "auto-approve", false, "do not ask for confirmation")
			fs.BoolVar(&o.resume, "resume", false, "continue the last unfinished run of this change")
			fs.Var(&o.clusters, "cluster", "limit the run to this cluster `NAME` (repeatable; the System Manager is \"smgr\")")
			fs.Var(&o.limit, "limit", "limit the run to the nodes `NODE|GLOB` names (repeatable; shell glob such as 'bsm-*'); the order rules still hold")
			fs.IntVar(&o.parallel, "parallel", 0, "core SMs out of service at once, enterprise-wide (default: policy.parallel)")
			fs.BoolVar(&o.json, "json", false, "stream one JSON event per line on stdout, nothing else")
			fs.BoolVar(&o.lab, "lab", false, "run against the built-in lab: simulated nodes behind real SSH on 127.0.0.1")
			fs.BoolVar(&o.keepGoing, "keep-going", false, "let other clusters go on after a cluster failed")
			fs.BoolVar(&o.refresh, "refresh", false, "with --dry-run: read real facts from the nodes first (read-only)")
			fs.StringVar(&o.records, "records", "records", "write change records under `DIR`")
			fs.BoolVar(&o.commit, "commit", false, "commit the new change record to the git repository that holds it")
			fs.StringVar(&o.forceUnlock, "force-unlock", "", "remove the change's lock `LOCK_ID` first (the id the \"locked\" error names; refused while its holder runs on this host)")
			fs.BoolVar(&o.ignoreWindow, "ignore-window", false, "apply even outside the manifest's maintenance window (warned about and recorded)")
			fs.DurationVar(&o.interruptGrace, "interrupt-grace", exec.DefaultLimits.InterruptGrace, "after Ctrl-C, how long a change already running (installer, restore) may go on before it is stopped and its node is in unknown state")
			fs.BoolVar(&o.verbose, "v", false, "print the output of user steps (step blocks) live, line by line, redacted")
			fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
			fs.StringVar(&o.labDir, "lab-dir", "", "with --lab: keep the simulated nodes' state in `DIR` (default: a temporary folder)")
			fs.Float64Var(&o.timeScale, "time-scale", 1, "with --lab: multiply simulated durations (e.g. 60 for a realistic rehearsal)")
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*applyOpts)
			if o.refresh && !o.dryRun {
				return usagef("apply: --refresh only goes with --dry-run (apply always reads real facts)")
			}
			if (o.labDir != "" || o.timeScale != 1) && !o.lab {
				return usagef("apply: --lab-dir and --time-scale only go with --lab")
			}
			if o.interruptGrace <= 0 {
				return usagef("apply: --interrupt-grace must be positive")
			}
			if o.parallel < 0 {
				return usagef("apply: --parallel must be positive")
			}
			return runApply(io, o, first(args))
		},
	}
}

// checkApplyable refuses what apply must not start: a plan with errors, or a
// real apply without change_id.
func checkApplyable(io *stdio, o *applyOpts, l *loaded, p *plan.Plan) error {
	printDiags(io, &o.manifestFlags, l)
	if p == nil || l.diags.HasErrors() {
		errs, warns := countDiags(l.diags)
		fmt.Fprintf(io.err, "Apply refused: %d error(s), %d warning(s).\n", errs, warns)
		return errReported
	}
	if !o.dryRun && l.cfg.Runbook.ChangeID == "" {
		return fmt.Errorf("apply needs runbook.change_id: the change record and its lock are named after it (add change_id = \"CHG…\" to the runbook block)")
	}
	return nil
}
