package exec

import (
	"context"
	"fmt"
	"maps"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// drain opens the node's out-of-service window: the peer guard and the
// hop's medium on the node (verifyMedium) first (the window guard ran before
// every node-changing step, see window.go), then Deny New Service and the wait for calls (the sm.drain module),
// then calls.active on what the node reports afterwards. The facts read here
// are the "before" of the hop that verify compares with.
func (r *run) drain(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	if err := r.peerGuard(ctx, s, ns); err != nil {
		return modules.Outcome{}, err
	}
	if err := r.verifyMedium(ctx, ns, s, true); err != nil {
		return modules.Outcome{}, err
	}
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		return modules.Outcome{}, err
	}
	d := r.drainArgs(s)
	max, timeout := d.MaxActiveCalls, d.Timeout
	if r.opts.DryRun {
		d.Timeout = 0 // nothing was denied: do not wait for calls that cannot end
	}
	t := r.task(ns, s)
	maps.Copy(t.Args, d.Args())
	if t.Args["poll"] == "" {
		t.Args["poll"] = r.lim.Poll.String()
	}
	r.progress(s, ns.name, "%s: %d active calls, denying new service (wait up to %s for <= %d)", ns.name, f.ActiveCalls, timeout, max)
	r.mu.Lock()
	ns.drained = true
	r.mu.Unlock()
	out, merr := r.runModule(ctx, ns, s, t)
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	after, err := r.gather(ctx, ns, s)
	if err != nil {
		if merr != nil {
			return out, merr
		}
		return out, err
	}
	r.progress(s, ns.name, "%s: %d active calls, %s", ns.name, after.ActiveCalls, after.ServiceState)
	if r.opts.DryRun {
		r.guardVerdict(s, ns.name, GuardCallsActive, record.VerdictUnknown,
			fmt.Sprintf("dry-run: %d active calls now, the drain waits up to %s", f.ActiveCalls, timeout))
		after = f
	} else {
		cerr := checkCalls(after, max, timeout)
		if merr != nil && cerr != nil {
			cerr.(*GuardError).Message += fmt.Sprintf(" (%v)", merr)
		}
		if err := r.check(s, ns.name, GuardCallsActive, cerr, fmt.Sprintf("%d active calls", after.ActiveCalls)); err != nil {
			return out, err
		}
		if merr != nil {
			return out, merr
		}
	}
	// The hop's "before" is taken once: a drain run again on resume, after
	// the hop's change, must not replace it with the changed node's facts.
	r.mu.Lock()
	_, had := ns.before[s.Hop.Index]
	if !had {
		ns.before[s.Hop.Index] = after
	}
	r.mu.Unlock()
	if !had {
		r.factsEvent(ns, s, fmt.Sprintf("before hop %d", s.Hop.Index), after)
	}
	return out, nil
}

// drainArgs are the planned drain's arguments; a plan that carries none (an
// older plan document) takes the manifest's policy.
func (r *run) drainArgs(s *plan.Step) plan.DrainArgs {
	if s.Drain != nil {
		return *s.Drain
	}
	pol := r.cfg.Runbook.Policy
	return plan.DrainArgs{MaxActiveCalls: pol.MaxActiveCalls, Timeout: pol.DrainTimeout}
}

// peerGuard requires the node's secondary in service before the drain.
func (r *run) peerGuard(ctx context.Context, s *plan.Step, ns *nodeState) error {
	name := ns.pn.Secondary
	if name == "" {
		return nil
	}
	peer, err := r.peer(name)
	if err != nil {
		return r.check(s, ns.name, GuardPeerUnavailable, guardErr(GuardPeerUnavailable, "%v", err), "")
	}
	pf, err := r.gather(ctx, peer, s)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return r.check(s, ns.name, GuardPeerUnavailable, guardErr(GuardPeerUnavailable, "secondary %s cannot be read: %v", name, err), "")
	}
	r.mu.Lock()
	out := r.oos.isOpen(peer)
	r.mu.Unlock()
	return r.check(s, ns.name, GuardPeerUnavailable, checkPeer(name, pf, out), "secondary "+name+" in service")
}

// peer returns the state of a node that may be outside the run's scope
// (--cluster), read-only: it is only ever asked for facts.
func (r *run) peer(name string) (*nodeState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ns := r.nodes[name]; ns != nil {
		return ns, nil
	}
	if ns := r.peers[name]; ns != nil {
		return ns, nil
	}
	cn := r.cfg.NodeByName(name)
	if cn == nil {
		return nil, fmt.Errorf("secondary %s is not in the manifest", name)
	}
	ns := &nodeState{name: cn.Name, kind: cn.Kind, cluster: cn.Cluster, cn: cn, target: targetFor(r.cfg, cn),
		before: map[int]sm.Facts{}, backups: map[int]map[string]string{}, changed: map[int]bool{}}
	r.peers[name] = ns
	return ns, nil
}
