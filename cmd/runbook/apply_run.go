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
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// runApply is apply from the command line to the exit code's error.
func runApply(io *stdio, o *applyOpts, path string) error {
	saved, manifestPath, err := readPlanFile(path)
	if err != nil {
		return err
	}
	if saved != nil {
		if o.manifestFlags.pinned, err = saved.values(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	l := load(io, &o.manifestFlags, manifestPath)
	if saved != nil && saved.ManifestSHA256 != l.cfg.SHA256 {
		return checkStale(&saved.Plan, nil, l.cfg.SHA256)
	}
	if l.diags.HasErrors() {
		printDiags(io, &o.manifestFlags, l)
		return errReported
	}
	red := redactorFor(l.cfg)
	if err := l.cfg.CheckClusters(o.clusters); err != nil {
		return red.Err(err)
	}
	if saved != nil {
		// Run with the values and media the plan was reviewed with.
		if err := saved.checkVariables(l.cfg); err != nil {
			return red.Err(err)
		}
		if err := saved.checkMedia(); err != nil {
			return red.Err(err)
		}
	}
	ctx, stop := interruptible(io, o.interruptGrace)
	defer stop()

	// The lock is released on every way out; lock.Release is nil-safe.
	var lock *record.Lock
	defer func() { lock.Release() }()
	var lb *lab.Lab
	if o.lab && o.labDir != "" && !o.dryRun && l.cfg.Runbook.ChangeID != "" {
		// A kept lab folder is a fleet two rehearsals could share: lock it
		// before the lab resets its nodes.
		if err := os.MkdirAll(o.labDir, 0o700); err != nil {
			return err
		}
		if lock, err = takeLock(io, o, o.labDir, l.cfg.Runbook.ChangeID); err != nil {
			return red.Err(err)
		}
	}
	if o.lab {
		lb, err = lab.Start(ctx, l.cfg, lab.Options{Dir: o.labDir, Keep: o.labDir != "", Reuse: o.resume && o.labDir != "",
			Clusters: o.clusters, Catalog: l.cat, TimeScale: o.timeScale})
		if err != nil {
			return red.Err(err)
		}
		defer lb.Close()
		// Backups of simulated nodes are no backups of the fleet: they stay
		// in the lab, away from the manifest's backup store.
		l.cfg.Backup.Store = lb.BackupStore()
		lab.StartWindowNow(l.cfg, time.Now())
	}

	p := l.compile(plan.Options{})
	if lb != nil && p != nil && !l.diags.HasErrors() {
		// Media the manifest declares no artifact for (an SSP pass the planner
		// inserted, say) are synthesized too; the plan then uploads them.
		added, err := lb.SynthesizeMissing(l.cfg, p)
		if err != nil {
			return red.Err(err)
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
	if saved != nil {
		if err := checkStale(&saved.Plan, p, l.cfg.SHA256); err != nil {
			return err
		}
		if lb == nil {
			// Run what was reviewed. (In the lab the fresh plan, equal but
			// for the synthesized media's paths and checksums, is run.)
			p = &saved.Plan
		}
	}
	if err := approve(io, o, p, red); err != nil {
		return err
	}

	mode := runMode(o)
	changeDir, err := record.ChangeDir(o.records, l.cfg.Runbook.ChangeID)
	if err != nil {
		return red.Err(err)
	}
	if !o.dryRun && lock == nil {
		where := l.cfg.Dir
		if lb != nil {
			where = lb.Dir()
		}
		if lock, err = takeLock(io, o, where, l.cfg.Runbook.ChangeID); err != nil {
			return red.Err(err)
		}
	}
	var resume []record.Event
	if o.resume {
		if resume, err = resumeEvents(changeDir, resumedMode(o)); err != nil {
			return red.Err(err)
		}
	}
	rc, err := record.Start(record.StartOptions{Root: o.records, ChangeID: l.cfg.Runbook.ChangeID, Mode: mode, Plan: p, Redactor: red})
	if err != nil {
		return red.Err(err)
	}

	view := progress.For(io.out, red, p, o.json)
	dialer, gather := connections(o, l, lb)
	x := exec.New(exec.Options{
		Dialer:       dialer,
		Modules:      registry.Modules(l.prof),
		Gather:       gather,
		DryRun:       o.dryRun,
		IgnoreWindow: o.ignoreWindow,
		Offline:      dialer == nil,
		WrapDryRun:   func(node string, c modules.Conn) modules.Conn { return dryrun.Wrap(c, node, nil) },
		Parallel:     o.parallel,
		KeepGoing:    o.keepGoing,
		Clusters:     o.clusters,
		Observer:     view,
		Recorder:     rc,
		Redactor:     red,
		Resume:       resume,
		Limits:       limits(o),
		// firewall.ports: the catalog's SM -> System Manager port matrix,
		// checked with the (possibly overridden) command profile.
		FirewallPorts: l.cat.Firewall,
		PortCheck:     exec.ProfilePortCheck(l.prof),
	})
	res, runErr := x.Run(ctx, p, l.cfg)
	if res != nil {
		view.SetOutcome(progress.Outcome{Succeeded: res.Succeeded, Failed: res.Failed, RolledBack: res.RolledBack, Incomplete: res.Incomplete})
	}
	view.Close()
	if res != nil {
		for _, n := range res.Unknown {
			fmt.Fprintf(io.err, "%s is %s\n", n, exec.UnknownState)
		}
	}

	if !o.json {
		fmt.Fprintf(io.err, "Change record: %s\n", rc.Dir())
	}
	if o.commit {
		status := record.RunSucceeded
		if runErr != nil || !res.OK() {
			status = record.RunFailed
		}
		if err := record.Commit(rc.Dir(), red.String(fmt.Sprintf("runbook %s %s: %s", mode, l.cfg.Runbook.ChangeID, status))); err != nil {
			fmt.Fprintf(io.err, "Error: committing the change record: %s\n", red.String(err.Error()))
		}
	}
	return applyError(res, runErr, red)
}

// connections chooses how nodes are reached: the lab, real SSH, or nothing
// at all (an offline dry-run reads the manifest's declared facts).
func connections(o *applyOpts, l *loaded, lb *lab.Lab) (modules.Dialer, exec.GatherFunc) {
	gather := func(ctx context.Context, c modules.Conn, kind string) (sm.Facts, error) {
		return sm.GatherFacts(ctx, c, kind, l.prof)
	}
	var d modules.Dialer = ssh.NewDialer(ssh.Options{})
	if lb != nil {
		d = lb.Dialer(ssh.NewDialer(ssh.Options{NoAgent: true}))
	}
	if o.dryRun && !o.refresh && lb == nil {
		return nil, gather // offline: the executor reads the declared facts
	}
	return d, gather
}

// applyError maps the run's outcome to the CLI's typed errors (and so to the
// exit code in main).
func applyError(res *exec.Result, err error, red *record.Redactor) error {
	switch {
	case errors.Is(err, exec.ErrInterrupted) || (res != nil && res.Interrupted):
		return &interruptedError{red.Err(errors.New("apply interrupted"))}
	case errors.As(err, new(*exec.WindowError)):
		return red.Err(fmt.Errorf("apply refused: %w (apply inside the window, or pass --ignore-window to apply anyway)", err))
	case errors.Is(err, exec.ErrHalted):
		return &haltedError{red.Err(err)}
	case err != nil:
		return red.Err(err)
	case res != nil && !res.OK():
		return &haltedError{red.Err(res.Errs)}
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
	fmt.Fprintf(io.out, "\nApply this plan to %d node(s)? Only 'yes' is accepted: ", len(p.Nodes))
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
