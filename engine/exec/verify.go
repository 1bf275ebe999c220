package exec

import (
	"context"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// verify checks the hop landed: release is the hop's target, services are up
// (given time to start after a reboot) and users and data digest equal the
// facts taken before the hop. Then the sm.verify module, when registered,
// runs its own checks with the same expectations.
func (r *run) verify(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	f, err := r.waitServices(ctx, ns, s)
	if err != nil {
		return modules.Outcome{}, err
	}
	before, haveBefore := r.beforeFacts(ns, s.Hop.Index)
	if err := r.verifyFacts(s, ns, f, s.Hop.To, before, haveBefore); err != nil {
		return modules.Outcome{}, err
	}
	r.factsEvent(ns, s, fmt.Sprintf("after hop %d", s.Hop.Index), f)
	if r.opts.Driver.Module(s.Module) == nil {
		return modules.Outcome{Summary: "release " + f.Release + ", services up, data unchanged"}, nil
	}
	t := r.task(ns, s)
	if t.Args["release"] == "" {
		t.Args["release"] = s.Hop.To
	}
	if haveBefore {
		t.Args["expect_users"] = fmt.Sprint(before.Users)
		t.Args["expect_digest"] = before.DataDigest
	}
	out, err := r.runModule(ctx, ns, s, t)
	if err != nil && r.opts.DryRun {
		// The node was not changed, so its own checks read the old state;
		// the verdict that counts is the one on the predicted facts above.
		r.progress(s, ns.name, "dry-run: %s checks read the unchanged node: %v", s.Module, err)
		return modules.Outcome{Summary: "predicted"}, nil
	}
	return out, err
}

// verifyFacts applies the three verify guards in order.
func (r *run) verifyFacts(s *plan.Step, ns *nodeState, f sm.Facts, release string, before sm.Facts, haveBefore bool) error {
	if err := r.check(s, ns.name, GuardVerifyRelease, checkRelease(f, release), "release "+f.Release); err != nil {
		return err
	}
	if err := r.check(s, ns.name, GuardVerifyServices, checkServices(f), "services up"); err != nil {
		return err
	}
	if !haveBefore {
		return nil
	}
	return r.check(s, ns.name, GuardVerifyData, checkData(f, before), fmt.Sprintf("%d users, data digest unchanged", f.Users))
}

// beforeFacts returns the facts taken before the hop (at its drain), else
// those of the run's start (or of the resumed run's journal).
func (r *run) beforeFacts(ns *nodeState, hop int) (sm.Facts, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := ns.before[hop]; ok {
		return f, true
	}
	return ns.initial, ns.haveInitial
}

// waitServices reads facts until every service is up or ServicesTimeout
// passed: a node just back from a reboot starts its services over minutes.
func (r *run) waitServices(ctx context.Context, ns *nodeState, s *plan.Step) (sm.Facts, error) {
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
