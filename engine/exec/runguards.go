package exec

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// check judges one runtime guard for one planned step. It records its
// verdict (r.check, r.guardVerdict) and returns the refusal, nil to go on;
// a guard that does not apply to the step returns nil and records nothing.
type check func(r *run, ctx context.Context, e *guardEnv) error

// checks holds the check of every runtime guard the executor runs around a
// phase (engine/guard's Rules with Before or After phases), by id. The
// registry says when each runs; this map says how it judges. A guard kept in
// a file of its own adds its check from that file's init.
var checks = map[string]check{
	guard.WindowClosed:     (*run).windowGuard,
	guard.TimeSkew:         (*run).skewGuard,
	guard.FirewallPorts:    (*run).firewallGuard,
	guard.UDSBackup:        (*run).udsGuard,
	guard.DiskSpace:        (*run).diskGuard,
	guard.PeerUnavailable:  (*run).peerGuard,
	guard.OrderSMGRFirst:   (*run).checkSMGRFirst,
	guard.ArtifactChecksum: (*run).mediumSumGuard,
	guard.ArtifactRelease:  (*run).mediumReleaseGuard,
	guard.CallsActive:      (*run).callsGuard,
	guard.BackupVerify:     (*run).backupGuard,
	guard.VerifyRelease:    (*run).verifyReleaseGuard,
	guard.VerifyServices:   (*run).verifyServicesGuard,
	guard.VerifyData:       (*run).verifyDataGuard,
}

// guardEnv is what the checks of one planned step read: the step and its
// node, the node's facts read for them (once, on first use), the medium on
// the node, and after the phase what its module observed.
type guardEnv struct {
	ns *nodeState
	s  *plan.Step

	facts     facts.Facts
	haveFacts bool

	medium *mediumRead // the hop's medium read on the node, once

	// After the phase: the module's outcome and, when the module saw its
	// task unmet (an *sm.Unmet), that observation for the guard of its kind
	// to judge. An unmet observation no guard judged fails the step.
	done       bool // the phase's work ran: the After guards run
	out        modules.Outcome
	unmet      error
	unmetKind  string
	moduleErr  error // drain: the module's own failure, reported after calls.active
	drainFrom  facts.Facts
	drainMax   int
	drainLimit time.Duration
	// onPass runs once every After guard passed (the backup kept for a
	// restore, the facts before the hop).
	onPass func()
}

// nodeFacts reads the node's facts once for the step's guards. At verify
// they are read once its services are up (or ServicesTimeout passed).
func (r *run) nodeFacts(ctx context.Context, e *guardEnv) (facts.Facts, error) {
	if e.haveFacts {
		return e.facts, nil
	}
	var f facts.Facts
	var err error
	if e.s.Phase == plan.PhaseVerify {
		f, err = r.waitServices(ctx, e.ns, e.s)
	} else {
		f, err = r.gather(ctx, e.ns, e.s)
	}
	if err != nil {
		return f, err
	}
	e.facts, e.haveFacts = f, true
	return f, nil
}

// observe keeps what the module saw unmet for the After guards to judge;
// any other error is the step's.
func (e *guardEnv) observe(out modules.Outcome, err error) (modules.Outcome, error) {
	var u *sm.Unmet
	if errors.As(err, &u) {
		e.unmet, e.unmetKind = err, u.Kind
		return out, nil
	}
	return out, err
}

// takeUnmet returns, and marks judged, the module's unmet observation of
// one of kinds; nil when there is none.
func (e *guardEnv) takeUnmet(kinds ...string) error {
	for _, k := range kinds {
		if e.unmet != nil && e.unmetKind == k {
			err := e.unmet
			e.unmet = nil
			return err
		}
	}
	return nil
}

// judgeUnmet is guard id's verdict after the module on what the module saw:
// a refusal naming its unmet observation of kind obs; no verdict when it
// saw none.
func (r *run) judgeUnmet(e *guardEnv, id, obs string) error {
	if err := e.takeUnmet(obs); err != nil {
		return r.check(e.s, e.ns.name, id, guardErr(id, "%v", err), "")
	}
	return nil
}

// runGuards runs the registered runtime guards of the step's phase at at,
// in the registry's order; the first refusal stops it.
func (r *run) runGuards(ctx context.Context, at guard.At, e *guardEnv) error {
	for _, g := range guard.For(string(e.s.Phase), at) {
		c := checks[g.ID]
		if c == nil { // the registry's tests forbid it; refuse rather than skip
			return fmt.Errorf("guard %s has no check in this build", g.ID)
		}
		if err := c(r, ctx, e); err != nil {
			return err
		}
	}
	return nil
}
