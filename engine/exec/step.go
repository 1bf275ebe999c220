package exec

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
)

// StatusInterrupted is the status of a step cut short by cancellation.
const StatusInterrupted = record.StepInterrupted

// execStep runs one step with its guards and, when it fails, the failure
// policy, and returns the step's final status.
func (r *run) execStep(ctx context.Context, s *plan.Step) string {
	ns := r.nodes[s.Node]
	if reason := r.heldReason(s.ID); reason != "" {
		r.heldUserDrain(ns, s)
		// The values go to this run's journal too, so a resume of this
		// resume still finds the backup its restore needs.
		r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase),
			Status: StatusOK, Message: "resume: " + reason, Values: r.resume.values[s.ID]})
		return StatusOK
	}
	if changesFacts(s) {
		r.markFactsStale(ns)
	}
	start := r.clock.Now()
	r.emit(record.Event{Type: record.EventStepStart, Step: s.ID, Node: s.Node, Phase: string(s.Phase), Message: s.Module})
	var out modules.Outcome
	var err error
	if why := r.refusedReason(s.ID); why != "" {
		err = errors.New(why)
	} else {
		out, err = r.runPhase(ctx, ns, s)
	}
	dur := r.clock.Now().Sub(start).Milliseconds()
	if err == nil {
		if r.opts.DryRun {
			r.predict(ns, s)
		}
		r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase),
			Status: StatusOK, DurationMS: dur, Message: out.Summary, Values: out.Values})
		return StatusOK
	}
	var timedOut *sm.TimeoutError
	if ctx.Err() != nil && !errors.As(err, &timedOut) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return r.interrupted(ns, s, dur)
	}
	r.markFactsStale(ns) // whatever the step said, a failure is not trusted to have left the node alone
	ne := r.fail(ns.name, s.ID, err)
	r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase),
		Status: StatusFailed, DurationMS: dur, Guard: ne.Guard, Message: ne.Err.Error()})
	r.recover(ctx, ns, s)
	r.mu.Lock()
	if deniesService(s) && !ns.drained {
		r.oos.close(ns) // refused before Deny New Service: never went out
	}
	r.mu.Unlock()
	return StatusFailed
}

// runPhase runs a planned step between its runtime guards: those the guard
// registry (engine/guard) lists before the step's phase, the phase's own
// work, then those listed after it. User steps (shell, copy, wait, pause, or
// an sm.* module placed by the user) only get the user guards, whatever
// their name: a step block named "drain" is not the planned drain.
func (r *run) runPhase(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	if err := r.userGuards(ctx, ns, s); err != nil {
		return modules.Outcome{}, err
	}
	if s.User {
		return r.userStep(ctx, ns, s)
	}
	e := &guardEnv{ns: ns, s: s}
	if err := r.runGuards(ctx, guard.Before, e); err != nil {
		return modules.Outcome{}, err
	}
	out, err := e.observe(r.phaseWork(ctx, e))
	if err != nil {
		return out, err
	}
	e.out, e.done = out, true
	if err := r.runGuards(ctx, guard.After, e); err != nil {
		return e.out, err
	}
	switch {
	case e.unmet != nil:
		return e.out, e.unmet // an observation no guard judged: never a pass
	case e.moduleErr != nil:
		return e.out, e.moduleErr
	}
	if e.onPass != nil {
		e.onPass()
	}
	return e.out, nil
}

// phaseWork is the work of a planned phase, without its guards.
func (r *run) phaseWork(ctx context.Context, e *guardEnv) (modules.Outcome, error) {
	ns, s := e.ns, e.s
	switch s.Phase {
	case plan.PhaseBackup:
		return r.backup(ctx, e)
	case plan.PhaseUpload:
		return r.runModule(ctx, ns, s, r.task(ns, s))
	case plan.PhaseDrain:
		return r.drain(ctx, e)
	case plan.PhaseSSP, plan.PhaseUpgrade, plan.PhaseMigrate, plan.PhaseRestore:
		return r.change(ctx, ns, s)
	case plan.PhaseVerify:
		return r.verify(ctx, e)
	case plan.PhaseUndrain:
		return r.undrain(ctx, ns, s)
	}
	return r.runModule(ctx, ns, s, r.task(ns, s))
}

func (r *run) task(ns *nodeState, s *plan.Step) modules.Task {
	args := maps.Clone(s.Args)
	if args == nil {
		args = map[string]string{}
	}
	t := modules.Task{Node: ns.name, Kind: string(ns.kind), Phase: string(s.Phase), From: s.Hop.From, To: s.Hop.To, Args: args}
	if s.User {
		t.Timeout = r.lim.UserStepTimeout // planned phases take theirs from the profile
	}
	return t
}

// runModule runs the step's module on the node's connection. When the node
// drops the connection (a reboot), it redials with backoff and settles the
// step's outcome from facts instead of running it again blindly.
func (r *run) runModule(ctx context.Context, ns *nodeState, s *plan.Step, t modules.Task) (modules.Outcome, error) {
	mod := r.opts.Driver.Module(s.Module)
	if mod == nil {
		return modules.Outcome{}, fmt.Errorf("no module %q", s.Module)
	}
	if t.Args == nil {
		t.Args = map[string]string{}
	}
	if r.opts.Offline {
		// No node to read or change: show what would run, let the guards
		// judge the predicted state.
		return r.showCommands(ns, s, mod, t)
	}
	conn, err := r.pool.get(ctx, ns)
	if err != nil {
		return modules.Outcome{}, err
	}
	out, err := mod.Run(ctx, &observed{c: conn, r: r, node: ns.name, step: s.ID, reboots: rebootsNode(s, mod), live: s.User}, t)
	if err != nil && r.opts.DryRun && errors.Is(err, dryrun.ErrOffline) {
		return r.showCommands(ns, s, mod, t)
	}
	if err == nil || ctx.Err() != nil || !r.lost(err) {
		return out, err
	}
	if errors.Is(err, sm.ErrRebooting) {
		r.progress(s, ns.name, "%s is rebooting, as the %s does (expected): reconnecting", ns.name, s.Phase)
	} else {
		r.progress(s, ns.name, "connection to %s lost during %s (%v): reconnecting", ns.name, s.Phase, err)
	}
	if _, rerr := r.pool.redial(ctx, ns); rerr != nil {
		return out, fmt.Errorf("%w; reconnect: %w", err, rerr)
	}
	return r.settle(ctx, ns, s, t, mod, err)
}

// rebootsNode reports whether the step runs an installer that ends by
// rebooting the node: a planned phase that reboots (ssp, upgrade) whose
// module confirms its outcome from facts after the reboot.
func rebootsNode(s *plan.Step, mod modules.Module) bool {
	_, ok := mod.(confirmer)
	return ok && !s.User && s.Phase.Spec().Reboots
}

// wait sleeps d or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// showCommands journals, for an offline dry-run, the commands the module
// would run: the module needed to read the node, which offline cannot.
func (r *run) showCommands(ns *nodeState, s *plan.Step, mod modules.Module, t modules.Task) (modules.Outcome, error) {
	lines, err := mod.Commands(t)
	if err != nil {
		return modules.Outcome{}, err
	}
	for _, l := range lines {
		r.emit(record.Event{Type: record.EventCommand, Node: ns.name, Step: s.ID, Command: l, Status: "skipped"})
	}
	return modules.Outcome{Summary: "offline dry-run: commands shown, not run"}, nil
}
