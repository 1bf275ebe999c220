package exec

import (
	"context"
	"fmt"
	"maps"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// drain opens the node's out-of-service window: Deny New Service and the
// wait for calls (the sm.drain module); calls.active then judges what the
// node reports afterwards. The guards before it (window, peer, the hop's
// medium on the node) are the registry's. The facts read after the drain
// are the "before" of the hop that verify compares with.
func (r *run) drain(ctx context.Context, e *guardEnv) (modules.Outcome, error) {
	ns, s := e.ns, e.s
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
	out, merr := e.observe(r.runModule(ctx, ns, s, t))
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
		after = f
	}
	e.facts, e.haveFacts = after, true
	e.drainFrom, e.drainMax, e.drainLimit, e.moduleErr = f, max, timeout, merr
	// The hop's "before" is taken once: a drain run again on resume, after
	// the hop's change, must not replace it with the changed node's facts.
	e.onPass = func() {
		r.mu.Lock()
		_, had := ns.before[s.Hop.Index]
		if !had {
			ns.before[s.Hop.Index] = after
		}
		r.mu.Unlock()
		if !had {
			r.factsEvent(ns, s, fmt.Sprintf("before hop %d", s.Hop.Index), after)
		}
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

// callsGuard is calls.active, the drain's one verdict: at most
// max_active_calls once the drain ended (its wait bounded by drain_timeout),
// and the node denying new service. What the module saw (calls still above
// the maximum when its wait ended) is named in the refusal.
func (r *run) callsGuard(ctx context.Context, e *guardEnv) error {
	s, node := e.s, e.ns.name
	seen := e.takeUnmet(sm.ObsActiveCalls)
	if r.opts.DryRun {
		r.guardVerdict(s, node, guard.CallsActive, record.VerdictUnknown,
			fmt.Sprintf("dry-run: %d active calls now, the drain waits up to %s", e.drainFrom.ActiveCalls, e.drainLimit))
		return nil
	}
	cerr := checkCalls(e.facts, e.drainMax, e.drainLimit)
	if seen == nil {
		seen = e.moduleErr
	}
	if seen != nil && cerr != nil {
		cerr.(*GuardError).Message += fmt.Sprintf(" (%v)", seen)
	}
	return r.check(s, node, guard.CallsActive, cerr, fmt.Sprintf("%d active calls", e.facts.ActiveCalls))
}

// peerGuard requires the node's secondary in service before the drain.
func (r *run) peerGuard(ctx context.Context, e *guardEnv) error {
	s, ns := e.s, e.ns
	name := ns.pn.Secondary
	if name == "" {
		return nil
	}
	peer, err := r.peer(name)
	if err != nil {
		return r.check(s, ns.name, guard.PeerUnavailable, guardErr(guard.PeerUnavailable, "%v", err), "")
	}
	pf, err := r.gather(ctx, peer, s)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return r.check(s, ns.name, guard.PeerUnavailable, guardErr(guard.PeerUnavailable, "secondary %s cannot be read: %v", name, err), "")
	}
	r.mu.Lock()
	out := r.oos.isOpen(peer)
	r.mu.Unlock()
	return r.check(s, ns.name, guard.PeerUnavailable, checkPeer(name, pf, out), "secondary "+name+" in service")
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
		before: map[int]facts.Facts{}, backups: map[int]map[string]string{}, changed: map[int]bool{}}
	r.peers[name] = ns
	return ns, nil
}
