package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/runbook-dev/runbook/cmd/runbook/progress"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/lab"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// runApply is apply from the command line to the exit code's error.
func runApply(io *stdio, o *applyOpts, path string) error {
	saved, manifestPath, err := readPlanFile(path)
	if err != nil {
		return err
	}
	l := load(io, &o.manifestFlags, manifestPath)
	if l.diags.HasErrors() {
		printDiags(io, &o.manifestFlags, l)
		return errReported
	}
	red := redactorFor(l.cfg)
	if err := l.cfg.CheckClusters(o.clusters); err != nil {
		return red.Err(err)
	}
	ctx, stop := signal.NotifyContext(io.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var lb *lab.Lab
	if o.lab {
		lb, err = lab.Start(ctx, l.cfg, lab.Options{Dir: o.labDir, Keep: o.labDir != "", Reuse: o.resume && o.labDir != "",
			Clusters: o.clusters, Catalog: l.cat, TimeScale: o.timeScale})
		if err != nil {
			return red.Err(err)
		}
		defer lb.Close()
		if w := l.cfg.Runbook.Window; w != nil {
			// A rehearsal happens now, not on the night of the change: keep the
			// window's length, start it now, so window.closed is exercised.
			length := w.End.Sub(w.Start)
			w.Start = time.Now().UTC()
			w.End = w.Start.Add(length)
		}
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
		if err := checkStale(saved, p, l.cfg.SHA256); err != nil {
			return err
		}
		if lb == nil {
			// Run what was reviewed. (In the lab the fresh plan, equal but
			// for the synthesized media's paths and checksums, is run.)
			p = saved
		}
	}
	if err := approve(io, o, p, red); err != nil {
		return err
	}

	mode := record.ModeApply
	if o.dryRun {
		mode = record.ModeDryRun
	}
	changeDir, err := record.ChangeDir(o.records, l.cfg.Runbook.ChangeID)
	if err != nil {
		return red.Err(err)
	}
	if mode == record.ModeApply {
		lock, err := takeLock(io, o, changeDir)
		if err != nil {
			return red.Err(err)
		}
		defer lock.Release()
	}
	var resume []record.Event
	if o.resume {
		if resume, err = resumeEvents(changeDir); err != nil {
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
		Dialer:     dialer,
		Modules:    sm.Modules(l.prof),
		Gather:     gather,
		DryRun:     o.dryRun,
		Offline:    dialer == nil,
		WrapDryRun: func(node string, c modules.Conn) modules.Conn { return dryrun.Wrap(c, node, nil) },
		Parallel:   o.parallel,
		KeepGoing:  o.keepGoing,
		Clusters:   o.clusters,
		Observer:   view,
		Recorder:   rc,
		Redactor:   red,
		Resume:     resume,
		Limits:     limits(o),
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

// takeLock takes records/<change>/.lock, or names its holder.
func takeLock(io *stdio, o *applyOpts, changeDir string) (*record.Lock, error) {
	if o.forceUnlock {
		if err := record.ForceUnlock(changeDir); err != nil {
			return nil, err
		}
	}
	lock, err := record.Acquire(changeDir)
	if err != nil {
		var held *record.LockedError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("%w; if no apply is running, rerun with --force-unlock", err)
		}
		return nil, err
	}
	if lock.Warning != "" {
		fmt.Fprintf(io.err, "Warning: %s\n", lock.Warning)
	}
	return lock, nil
}

// resumeEvents reads the journals of the unfinished runs of the change
// (oldest first), so a resume of a resume still knows what the first did.
func resumeEvents(changeDir string) ([]record.Event, error) {
	r, err := record.LastUnfinished(changeDir)
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
		return exec.Limits{}
	}
	poll := time.Duration(float64(200*time.Millisecond) * o.timeScale)
	return exec.Limits{Poll: poll, ReconnectInitial: poll}
}
