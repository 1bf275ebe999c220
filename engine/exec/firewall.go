package exec

import (
	"context"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// firewallGuard checks, once per SM/BSM node and run, that the node reaches
// System Manager's host on every tcp port the catalog's port matrix lists
// from session_manager to system_manager: an SM cut off from SMGR comes back
// from its upgrade unable to enroll or replicate.
//
// It runs at the node's first precheck that runs, where a refusal changes
// nothing at all: no backup written, no medium uploaded, the node still in
// service. Every hop starts with a precheck, and a resumed run carries a
// precheck over only once its hop's change is on the node, so the first
// precheck that runs still comes before every change left to make (and a
// resumed run checks again: the firewall may have changed since). The check
// is read-only, so it passes the dry-run gate; offline its verdict is unknown.
func (r *run) firewallGuard(ctx context.Context, e *guardEnv) error {
	s, ns := e.s, e.ns
	smgr := r.cfg.SMGR
	ports := smgrPorts(r.opts.Driver.FirewallPorts())
	if ns.kind == rollout.KindSMGR || smgr == nil || smgr.Host == "" || len(ports) == 0 {
		return nil
	}
	r.mu.Lock()
	done := ns.portsChecked
	ns.portsChecked = true
	r.mu.Unlock()
	if done {
		return nil
	}
	where := fmt.Sprintf("from %s to System Manager %s (%s)", ns.name, smgr.Name, smgr.Host)
	if r.opts.Offline {
		r.guardVerdict(s, ns.name, guard.FirewallPorts, record.VerdictUnknown,
			fmt.Sprintf("offline dry-run: %s %s not checked from the node", portNames(ports), where))
		return nil
	}
	conn, err := r.pool.get(ctx, ns)
	if err != nil {
		return err
	}
	oc := &observed{c: conn, r: r, node: ns.name, step: s.ID}
	var blocked, unchecked []string
	for _, p := range ports {
		ok, err := r.opts.Driver.PortReachable(ctx, oc, string(ns.kind), smgr.Host, p.Port)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err != nil:
			unchecked = append(unchecked, fmt.Sprintf("%d/tcp (%s): %v", p.Port, p.Purpose, err))
		case !ok:
			blocked = append(blocked, fmt.Sprintf("%d/tcp (%s)", p.Port, p.Purpose))
		}
	}
	var msgs []string
	if len(blocked) > 0 {
		msgs = append(msgs, "not reachable "+where+": "+strings.Join(blocked, ", "))
	}
	if len(unchecked) > 0 {
		// An unknown is not a yes: a port that could not be checked refuses too.
		msgs = append(msgs, "could not be checked "+where+": "+strings.Join(unchecked, "; "))
	}
	var gerr error
	if len(msgs) > 0 {
		gerr = guardErr(guard.FirewallPorts, "%s", strings.Join(msgs, "; "))
	}
	return r.check(s, ns.name, guard.FirewallPorts, gerr, portNames(ports)+" reachable "+where)
}

// smgrPorts keeps the matrix rows the guard checks: tcp, from Session
// Manager (SM and BSM alike) to System Manager. nc -z cannot test udp.
func smgrPorts(all []catalog.Port) []catalog.Port {
	var out []catalog.Port
	for _, p := range all {
		if p.From == catalog.ProductSM && p.To == catalog.ProductSMGR && strings.EqualFold(p.Protocol, "tcp") {
			out = append(out, p)
		}
	}
	return out
}

func portNames(ports []catalog.Port) string {
	names := make([]string, len(ports))
	for i, p := range ports {
		names[i] = fmt.Sprintf("%d/tcp", p.Port)
	}
	return strings.Join(names, ", ")
}
