package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/cmd/runbook/progress"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/lab"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// runApply is apply from the command line to the exit code's error, in
// three parts as Terraform splits a command from its operation: prepare
// reads and checks everything and compiles the plan (touching no node but
// the lab's), approve asks for the operator's yes, execute locks the change,
// opens its record and walks the plan.
func runApply(io *stdio, o *applyOpts, path string) error {
	pr, err := prepareApply(io, o, path)
	defer pr.release() // on every way out, whatever prepare acquired
	if err != nil {
		return err
	}
	if err := approve(io, o, pr.plan, pr.red); err != nil {
		return err
	}
	return executeApply(io, o, pr)
}

// prepared is what prepare hands to approve and execute: the manifest and
// its driver, the plan to run, and what the run holds until it ends.
type prepared struct {
	// path is the PATH or PLANFILE apply was given, for the resume command.
	path string
	l    *loaded
	red  *record.Redactor
	plan *plan.Plan // the saved plan when it is current and no lab runs
	// ctx ends at the first interrupt (interruptible); stop releases the
	// signals.
	ctx  context.Context
	stop func()
	// lab is the built-in lab of --lab, nil otherwise.
	lab *lab.Lab
	// lock is the change's lock when prepare took it (a kept lab folder is
	// locked before the lab resets its nodes); execute takes it otherwise.
	lock *record.Lock
}

// release closes the lab, releases the lock and the signals, in that
// order. It is nil-safe and safe on a partly prepared run.
func (pr *prepared) release() {
	if pr == nil {
		return
	}
	if pr.lab != nil {
		pr.lab.Close()
	}
	pr.lock.Release() // nil-safe
	if pr.stop != nil {
		pr.stop()
	}
}

// prepareApply loads the manifest (with a saved plan's pins), checks the
// saved plan and --cluster, starts the lab and compiles the plan, refusing
// what apply must not start. The result is never nil: on error it holds what
// was acquired so far, for release.
func prepareApply(io *stdio, o *applyOpts, path string) (*prepared, error) {
	pr := &prepared{path: path}
	saved, err := loadApply(io, o, path, pr)
	if err != nil {
		return pr, err
	}
	pr.ctx, pr.stop = interruptible(io, o.interruptGrace)
	if err := startLab(io, o, pr); err != nil {
		return pr, pr.red.Err(err)
	}
	if err := compileApply(io, o, pr); err != nil {
		return pr, err
	}
	if saved != nil {
		if err := checkStale(&saved.Plan, pr.plan, pr.l.cfg.SHA256); err != nil {
			return pr, err
		}
		if pr.lab == nil {
			// Run what was reviewed. (In the lab the fresh plan, equal but
			// for the synthesized media's paths and checksums, is run.)
			pr.plan = &saved.Plan
		}
	}
	return pr, nil
}

// loadApply reads the manifest, or the saved plan and the manifest it names
// with the plan's variable values, into pr.l and pr.red, and refuses a stale
// plan, a manifest with errors, an unknown --cluster and values or media
// that differ from the saved plan's. It returns the saved plan, nil for a
// manifest.
func loadApply(io *stdio, o *applyOpts, path string, pr *prepared) (*savedPlan, error) {
	saved, manifestPath, err := readPlanFile(path)
	if err != nil {
		return nil, err
	}
	if saved != nil {
		if o.manifestFlags.pinned, err = saved.values(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	l := load(io, &o.manifestFlags, manifestPath)
	pr.l = l
	if saved != nil && saved.ManifestSHA256 != l.cfg.SHA256 {
		return nil, checkStale(&saved.Plan, nil, l.cfg.SHA256)
	}
	if l.diags.HasErrors() {
		printDiags(io, &o.manifestFlags, l)
		return nil, errReported
	}
	pr.red = redactorFor(l.cfg)
	if err := l.cfg.CheckClusters(o.clusters); err != nil {
		return nil, pr.red.Err(err)
	}
	if err := l.cfg.CheckLimit(o.limit); err != nil {
		return nil, pr.red.Err(err)
	}
	if saved != nil {
		// Run with the values and media the plan was reviewed with.
		if err := saved.checkVariables(l.cfg); err != nil {
			return nil, pr.red.Err(err)
		}
		if err := saved.checkMedia(); err != nil {
			return nil, pr.red.Err(err)
		}
	}
	return saved, nil
}

// startLab starts the built-in lab for --lab (pr.lab), after locking a kept
// lab folder (pr.lock), and points the manifest's backup store and window
// at it.
func startLab(io *stdio, o *applyOpts, pr *prepared) error {
	if !o.lab {
		return nil
	}
	cfg := pr.l.cfg
	if o.labDir != "" && !o.dryRun && cfg.Runbook.ChangeID != "" {
		// A kept lab folder is a fleet two rehearsals could share: lock it
		// before the lab resets its nodes.
		if err := os.MkdirAll(o.labDir, 0o700); err != nil {
			return err
		}
		lock, err := takeLock(io, o, o.labDir, cfg.Runbook.ChangeID)
		if err != nil {
			return err
		}
		pr.lock = lock
	}
	lb, err := lab.Start(pr.ctx, cfg, lab.Options{Dir: o.labDir, Keep: o.labDir != "", Reuse: o.resume && o.labDir != "",
		Clusters: o.clusters, Catalog: pr.l.cat, TimeScale: o.timeScale})
	if err != nil {
		return err
	}
	pr.lab = lb
	// Backups of simulated nodes are no backups of the fleet: they stay
	// in the lab, away from the manifest's backup store.
	cfg.Backup.Store = lb.BackupStore()
	lab.StartWindowNow(cfg, time.Now())
	return nil
}

// compileApply compiles the plan into pr.plan (again, in the lab, once the
// media the manifest lacks are synthesized) and refuses a plan apply must
// not start.
func compileApply(io *stdio, o *applyOpts, pr *prepared) error {
	l, lb := pr.l, pr.lab
	p := l.compile(plan.Options{})
	if lb != nil && p != nil && !l.diags.HasErrors() {
		// Media the manifest declares no artifact for (an SSP pass the planner
		// inserted, say) are synthesized too; the plan then uploads them.
		added, err := lb.SynthesizeMissing(l.cfg, p)
		if err != nil {
			return pr.red.Err(err)
		}
		if len(added) > 0 {
			l.diags = nil
			p = l.compile(plan.Options{})
		}
		if !o.json {
			for _, s := range lb.Synthesized() {
				fmt.Fprintf(io.err, "lab: synthesized a %s medium for artifact %q (%s is absent)\n", s.Kind, s.Artifact, s.Declared)
			}
		}
	}
	if err := checkApplyable(io, o, l, p); err != nil {
		return err
	}
	pr.plan = p
	return nil
}

// executeApply runs the approved plan: it takes the change's lock (unless
// prepare did), opens the change record, walks the plan with the executor
// and the product driver, and reports the outcome.
func executeApply(io *stdio, o *applyOpts, pr *prepared) error {
	cfg, red := pr.l.cfg, pr.red
	rc, resume, err := openRecord(io, o, pr)
	if err != nil {
		return red.Err(err)
	}
	out := io.out
	var stepOutput stepStreams
	if o.verbose && !o.json {
		out = plainWriter{io.out}
		stepOutput = (&liveOutput{w: io.out, red: red}).writer
	}
	view := progress.For(out, red, pr.plan, o.json)
	dialer := connections(o, pr.lab)
	x := exec.New(exec.Options{
		Dialer:       dialer,
		Driver:       pr.l.drv,
		DryRun:       o.dryRun,
		Offline:      dialer == nil,
		IgnoreWindow: o.ignoreWindow,
		Parallel:     o.parallel,
		KeepGoing:    o.keepGoing,
		Clusters:     o.clusters,
		Limit:        o.limit,
		Observer:     view,
		StepOutput:   stepOutput,
		Recorder:     rc,
		Redactor:     red,
		Resume:       resume,
		Limits:       limits(o),
	})
	res, runErr := x.Run(pr.ctx, pr.plan, cfg)
	if res != nil {
		view.SetOutcome(progress.Outcome{Succeeded: res.Succeeded, Failed: res.Failed, RolledBack: res.RolledBack, Incomplete: res.Incomplete})
	}
	view.Close()
	if res != nil {
		for _, n := range res.Unknown {
			fmt.Fprintf(io.err, "%s is %s\n", n, exec.UnknownState)
		}
	}
	summarize(io, o, cfg.Runbook.ChangeID, rc.Dir(), res, runErr, red)
	err = applyError(res, runErr, red)
	// What to do next: the exact command that resumes (a dry-run has
	// nothing to resume) and, for a halt, where to look first.
	next := ""
	if !o.dryRun {
		next = red.String(resumeCommand(o, pr.path, cfg))
	}
	var (
		halted *haltedError
		intr   *interruptedError
	)
	switch {
	case errors.As(err, &intr):
		intr.resume = next
	case errors.As(err, &halted):
		halted.resume = next
		for _, c := range checkFirst(res, rc.Dir()) {
			halted.check = append(halted.check, red.String(c))
		}
	}
	return err
}

// openRecord takes the change's lock beside the manifest (in the lab's
// folder for --lab) unless prepare took it or this is a dry-run, reads the
// journals --resume continues, and starts the run's change record.
func openRecord(io *stdio, o *applyOpts, pr *prepared) (*record.Recorder, []record.Event, error) {
	cfg := pr.l.cfg
	changeDir, err := record.ChangeDir(o.records, cfg.Runbook.ChangeID)
	if err != nil {
		return nil, nil, err
	}
	if !o.dryRun && pr.lock == nil {
		where := cfg.Dir
		if pr.lab != nil {
			where = pr.lab.Dir()
		}
		if pr.lock, err = takeLock(io, o, where, cfg.Runbook.ChangeID); err != nil {
			return nil, nil, err
		}
	}
	var resume []record.Event
	if o.resume {
		if resume, err = resumeEvents(changeDir, resumedMode(o)); err != nil {
			return nil, nil, err
		}
	}
	rc, err := record.Start(record.StartOptions{Root: o.records, ChangeID: cfg.Runbook.ChangeID, Mode: runMode(o), Plan: pr.plan, Redactor: pr.red})
	if err != nil {
		return nil, nil, err
	}
	return rc, resume, nil
}

// summarize names the change record, last on stdout (where a script or a
// tee of the run finds it; --json keeps stdout to events), and, with
// --commit, commits it.
func summarize(io *stdio, o *applyOpts, changeID, dir string, res *exec.Result, runErr error, red *record.Redactor) {
	if !o.json {
		fmt.Fprintf(io.out, "Change record: %s\n", dir)
	}
	if !o.commit {
		return
	}
	status := record.RunSucceeded
	if runErr != nil || !res.OK() {
		status = record.RunFailed
	}
	if err := record.Commit(dir, red.String(fmt.Sprintf("runbook %s %s: %s", runMode(o), changeID, status))); err != nil {
		fmt.Fprintf(io.err, "Error: committing the change record: %s\n", red.String(err.Error()))
	}
}

// connections chooses how nodes are reached: the lab, real SSH, or nothing
// at all (nil: an offline dry-run reads the manifest's declared facts).
func connections(o *applyOpts, lb *lab.Lab) modules.Dialer {
	if lb != nil {
		return lb.Dialer(ssh.NewDialer(ssh.Options{NoAgent: true}))
	}
	if o.dryRun && !o.refresh {
		return nil
	}
	return ssh.NewDialer(ssh.Options{})
}

// applyError maps the run's outcome to the CLI's typed errors (and so to the
// exit code in main).
func applyError(res *exec.Result, err error, red *record.Redactor) error {
	switch {
	case errors.Is(err, exec.ErrInterrupted) || (res != nil && res.Interrupted):
		return &interruptedError{err: red.Err(errors.New("apply interrupted"))}
	case errors.As(err, new(*exec.WindowError)):
		return red.Err(fmt.Errorf("apply refused: %w (apply inside the window, or pass --ignore-window to apply anyway)", err))
	case errors.Is(err, exec.ErrHalted):
		return &haltedError{err: red.Err(err)}
	case err != nil:
		return red.Err(err)
	case res != nil && !res.OK():
		return &haltedError{err: red.Err(res.Errs)}
	}
	return nil
}

// approve asks for "yes" on a terminal; without one, apply refuses unless
// --auto-approve says the plan was reviewed.
func approve(io *stdio, o *applyOpts, p *plan.Plan, red *record.Redactor) error {
	if o.autoApprove || o.dryRun {
		return nil
	}
	if !io.inTTY {
		return fmt.Errorf("apply needs approval and stdin is not a terminal: review 'runbook plan' and pass --auto-approve")
	}
	w := red.Writer(io.out)
	writePlanSummary(w, p)
	w.Close()
	if o.lab {
		// A rehearsal must not read like a change to the fleet, nor the
		// other way round.
		fmt.Fprintf(io.out, "\nRehearse this plan in the lab (%d simulated node(s) on 127.0.0.1; no real node is touched)? Only 'yes' is accepted: ", len(p.Nodes))
	} else {
		fmt.Fprintf(io.out, "\nApply this plan to %d node(s)? Only 'yes' is accepted: ", len(p.Nodes))
	}
	line, _ := bufio.NewReader(io.in).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return fmt.Errorf("apply cancelled: the answer was not 'yes'")
	}
	return nil
}

// takeLock takes the change's lock beside the manifest in dir (the lab's
// folder for --lab), after --force-unlock LOCK_ID removed a lock whose holder
// is gone, or names the holder.
func takeLock(io *stdio, o *applyOpts, dir, changeID string) (*record.Lock, error) {
	path, err := record.LockPath(dir, changeID)
	if err != nil {
		return nil, err
	}
	if o.forceUnlock != "" {
		if err := record.ForceUnlock(path, o.forceUnlock); err != nil {
			return nil, err
		}
	}
	lock, err := record.Acquire(path)
	if err != nil {
		var held *record.LockedError
		if errors.As(err, &held) && !held.Unreadable && held.Holder.ID == "" {
			return nil, fmt.Errorf("%w; the lock has no id: if that apply is no longer running, delete the lock file by hand", err)
		}
		if errors.As(err, &held) && !held.Unreadable {
			return nil, fmt.Errorf("%w; if that apply is no longer running (check pid %d on %s), rerun with --force-unlock %s",
				err, held.Holder.PID, held.Holder.Host, held.Holder.ID)
		}
		return nil, err
	}
	if lock.Warning != "" {
		fmt.Fprintf(io.err, "Warning: %s\n", lock.Warning)
	}
	return lock, nil
}

// runMode is the mode the run is recorded as: a dry-run, a rehearsal in the
// lab, or a real apply.
func runMode(o *applyOpts) string {
	switch {
	case o.dryRun:
		return record.ModeDryRun
	case o.lab:
		return record.ModeLab
	}
	return record.ModeApply
}

// resumedMode is the mode of the runs --resume continues: lab runs in the
// lab, real applies otherwise (a dry-run shows how either would go on).
func resumedMode(o *applyOpts) string {
	if o.lab {
		return record.ModeLab
	}
	return record.ModeApply
}

// resumeEvents reads the journals of the unfinished runs of the change in
// the same mode (oldest first), so a resume of a resume still knows what the
// first did, and a lab run never stands for a real one or the other way round.
func resumeEvents(changeDir, mode string) ([]record.Event, error) {
	r, err := record.LastUnfinishedOf(changeDir, mode)
	if err != nil {
		return nil, err
	}
	return r.Events, nil
}

// limits are the executor's polling intervals: the lab's simulated nodes
// boot and drain in seconds, so polling them every 2 s would make a
// rehearsal mostly waiting.
func limits(o *applyOpts) exec.Limits {
	if !o.lab {
		return exec.Limits{InterruptGrace: o.interruptGrace}
	}
	poll := time.Duration(float64(200*time.Millisecond) * o.timeScale)
	return exec.Limits{Poll: poll, ReconnectInitial: poll, InterruptGrace: o.interruptGrace}
}
