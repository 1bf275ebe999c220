package exec

import (
	"context"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// verify: the registry's verify guards judged the node once its services
// were up (release is the hop's target, services up, users and data digest
// equal to the facts taken before the hop). Then the sm.verify module, when
// registered, runs the profile's health check; it judges nothing the guards
// judged (it is given no expectations) and what it saw unmet is judged by
// verify.services after it.
func (r *run) verify(ctx context.Context, e *guardEnv) (modules.Outcome, error) {
	ns, s := e.ns, e.s
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return modules.Outcome{}, err
	}
	r.factsEvent(ns, s, fmt.Sprintf("after hop %d", s.Hop.Index), f)
	if r.opts.Driver.Module(s.Module) == nil {
		return modules.Outcome{Summary: "release " + f.Release + ", services up, data unchanged"}, nil
	}
	t := r.task(ns, s)
	t.To = "" // the release is verify.release's to judge, not the module's
	delete(t.Args, "release")
	t.Args["settle"] = "0s"
	t.Args["poll"] = r.lim.Poll.String()
	out, err := r.runModule(ctx, ns, s, t)
	if err != nil && r.opts.DryRun {
		// The node was not changed, so its own checks read the old state;
		// the verdict that counts is the one on the predicted facts above.
		r.progress(s, ns.name, "dry-run: %s checks read the unchanged node: %v", s.Module, err)
		return modules.Outcome{Summary: "predicted"}, nil
	}
	return out, err
}

// verifyReleaseGuard is verify.release: at verify, the node reports the
// hop's target; after an upgrade, what the installer's confirmation saw
// after the reboot.
func (r *run) verifyReleaseGuard(ctx context.Context, e *guardEnv) error {
	if e.s.Phase != plan.PhaseVerify {
		return r.judgeUnmet(e, guard.VerifyRelease, sm.ObsRelease)
	}
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	return r.check(e.s, e.ns.name, guard.VerifyRelease, checkRelease(f, e.s.Hop.To), "release "+f.Release)
}

// verifyServicesGuard is verify.services: every service up (given
// ServicesTimeout to come up after a reboot); after the module, its health
// check.
func (r *run) verifyServicesGuard(ctx context.Context, e *guardEnv) error {
	if e.done { // after the module
		return r.judgeUnmet(e, guard.VerifyServices, sm.ObsServices)
	}
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	return r.check(e.s, e.ns.name, guard.VerifyServices, checkServices(f), "services up")
}

// verifyDataGuard is verify.data: users and data digest as before the hop.
func (r *run) verifyDataGuard(ctx context.Context, e *guardEnv) error {
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	before, haveBefore := r.beforeFacts(e.ns, e.s.Hop.Index)
	if !haveBefore {
		return nil
	}
	return r.check(e.s, e.ns.name, guard.VerifyData, checkData(f, before), fmt.Sprintf("%d users, data digest unchanged", f.Users))
}

// verifyFacts applies the three verify guards in order.
func (r *run) verifyFacts(s *plan.Step, ns *nodeState, f facts.Facts, release string, before facts.Facts, haveBefore bool) error {
	if err := r.check(s, ns.name, guard.VerifyRelease, checkRelease(f, release), "release "+f.Release); err != nil {
		return err
	}
	if err := r.check(s, ns.name, guard.VerifyServices, checkServices(f), "services up"); err != nil {
		return err
	}
	if !haveBefore {
		return nil
	}
	return r.check(s, ns.name, guard.VerifyData, checkData(f, before), fmt.Sprintf("%d users, data digest unchanged", f.Users))
}

// beforeFacts returns the facts taken before the hop (at its drain), else
// those of the run's start (or of the resumed run's journal).
func (r *run) beforeFacts(ns *nodeState, hop int) (facts.Facts, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := ns.before[hop]; ok {
		return f, true
	}
	return ns.initial, ns.haveInitial
}

// waitServices reads facts until every service is up or ServicesTimeout
// passed: a node just back from a reboot starts its services over minutes.
func (r *run) waitServices(ctx context.Context, ns *nodeState, s *plan.Step) (facts.Facts, error) {
	deadline := time.Now().Add(r.lim.ServicesTimeout)
	last := ""
	for {
		f, err := r.gather(ctx, ns, s)
		if err != nil || f.AllServicesUp() || r.opts.DryRun || time.Now().After(deadline) {
			return f, err
		}
		if down := downServices(f); down != last { // one line per change, not per poll
			last = down
			r.progress(s, ns.name, "%s: waiting for services: %s", ns.name, down)
		}
		if err := wait(ctx, r.lim.Poll); err != nil {
			return f, err
		}
	}
}
