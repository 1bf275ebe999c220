package exec

import (
	"context"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/record"
)

// WindowError is a real apply refused because it started outside the
// maintenance window (before it opens or after it closed). It is returned
// before any node is read or changed.
type WindowError struct {
	Window eval.Window
	Now    time.Time
}

func (e *WindowError) Error() string {
	return fmt.Sprintf("outside the maintenance window %s: %s; no node was touched", windowText(&e.Window), windowWhen(&e.Window, e.Now))
}

// windowText prints a window as "START to END" in UTC.
func windowText(w *eval.Window) string {
	return w.Start.UTC().Format(time.RFC3339) + " to " + w.End.UTC().Format(time.RFC3339)
}

// windowWhen says where now stands relative to a window it is outside of.
func windowWhen(w *eval.Window, now time.Time) string {
	at := now.UTC().Format(time.RFC3339)
	if now.Before(w.Start) {
		return fmt.Sprintf("it opens in %s, now is %s", w.Start.Sub(now).Round(time.Second), at)
	}
	return fmt.Sprintf("it closed %s ago, now is %s", now.Sub(w.End).Round(time.Second), at)
}

// openWindow runs once, before any node is read. Inside the window (or
// without one) it records a pass. Outside it a real apply is refused with a
// *WindowError unless Options.IgnoreWindow, which is warned about and
// recorded; a dry-run reports that apply would refuse and goes on, judging
// its steps as if it had started when the window opens.
func (r *run) openWindow() error {
	w := r.cfg.Runbook.Window
	if w == nil {
		return nil
	}
	now := r.clock.Now()
	if !now.Before(w.Start) && now.Before(w.End) {
		r.guardVerdict(nil, "", guard.WindowClosed, record.VerdictPass, "inside the window "+windowText(w))
		return nil
	}
	r.windowOutside = true
	we := &WindowError{Window: *w, Now: now}
	switch {
	case r.opts.DryRun:
		if now.Before(w.Start) {
			r.windowShift = w.Start.Sub(now)
		}
		r.guardVerdict(nil, "", guard.WindowClosed, record.VerdictWarn,
			fmt.Sprintf("apply would refuse now: outside the window %s (%s); the dry-run judges its steps as if it started at the window's start", windowText(w), windowWhen(w, now)))
		return nil
	case r.opts.IgnoreWindow:
		msg := fmt.Sprintf("outside the maintenance window %s (%s): applying anyway because the window is ignored (--ignore-window)", windowText(w), windowWhen(w, now))
		r.emit(record.Event{Type: record.EventWarning, Guard: guard.WindowClosed, Message: msg})
		r.guardVerdict(nil, "", guard.WindowClosed, record.VerdictWarn, msg)
		return nil
	}
	r.guardVerdict(nil, "", guard.WindowClosed, record.VerdictFail, we.Error())
	return we
}

// windowGuard runs before every node-changing step (plan.ChangesNode),
// System Manager's included: the node's remaining estimated duration must
// fit in what is left of the window. With the window ignored, or in a
// dry-run that started outside it, a refusal is only a warning.
func (r *run) windowGuard(_ context.Context, e *guardEnv) error {
	s, ns := e.s, e.ns
	w := r.cfg.Runbook.Window
	if w == nil {
		return nil
	}
	r.mu.Lock()
	var need time.Duration
	for _, st := range r.steps {
		if st.Node == ns.name && r.res.Steps[st.ID] == "" {
			need += time.Duration(st.EstimateS) * time.Second
		}
	}
	r.mu.Unlock()
	err := checkWindow(w, r.clock.Now().Add(r.windowShift), need)
	if err != nil && (r.opts.IgnoreWindow || (r.opts.DryRun && r.windowOutside)) {
		why := "window ignored (--ignore-window)"
		if !r.opts.IgnoreWindow {
			why = "dry-run outside the window"
		}
		r.guardVerdict(s, ns.name, guard.WindowClosed, record.VerdictWarn, why+": "+err.Error())
		return nil
	}
	return r.check(s, ns.name, guard.WindowClosed, err, fmt.Sprintf("node needs about %s", need))
}
