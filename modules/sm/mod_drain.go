package sm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// Drain is sm.drain: Deny New Service, then wait until the active calls are
// at most max_active_calls, or fail with calls.active after drain_timeout.
type Drain struct{ P *Profile }

func (Drain) Name() string { return "sm.drain" }

func (m Drain) Commands(t modules.Task) ([]string, error) {
	d, err := render(m.P, t.Kind, "deny_new_service", nil)
	if err != nil {
		return nil, err
	}
	c, err := render(m.P, t.Kind, "active_calls", nil)
	return []string{d, c}, err
}

// Defaults for drain arguments the task leaves out.
const (
	defaultDrainTimeout = 30 * time.Minute
	defaultPoll         = time.Second
)

func (m Drain) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	maxCalls := 0
	if s := t.Args["max_active_calls"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return modules.Outcome{}, fmt.Errorf("%s: max_active_calls=%q is not a count", t.Node, s)
		}
		maxCalls = n
	}
	timeout, poll, err := waitArgs(t, "drain_timeout", defaultDrainTimeout)
	if err != nil {
		return modules.Outcome{}, err
	}
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	if _, err := r.run(ctx, "deny_new_service", nil); errors.Is(err, errDryRun) {
		return modules.Outcome{Summary: "dry-run: Deny New Service recorded"}, nil
	} else if err != nil {
		return modules.Outcome{}, err
	}
	deadline := time.Now().Add(timeout)
	for {
		v, err := r.value(ctx, "active_calls", nil)
		if err != nil {
			return modules.Outcome{}, err
		}
		n, err := strconv.Atoi(v.Text)
		if err != nil {
			return modules.Outcome{}, &ParseError{Action: "active_calls", Detail: fmt.Sprintf("%q is not a count", v.Text)}
		}
		if n <= maxCalls {
			return modules.Outcome{
				Values:  map[string]string{"active_calls": strconv.Itoa(n)},
				Summary: fmt.Sprintf("denying new service; %d active calls (max %d)", n, maxCalls),
			}, nil
		}
		if !time.Now().Before(deadline) {
			return modules.Outcome{Values: map[string]string{"active_calls": strconv.Itoa(n)}},
				&Unmet{ObsActiveCalls, t.Node, fmt.Sprintf("%d active calls after %s (max %d)", n, timeout, maxCalls)}
		}
		if err := sleep(ctx, min(poll, time.Until(deadline)+time.Millisecond)); err != nil {
			return modules.Outcome{}, err
		}
	}
}

// Undrain is sm.undrain: Accept New Service.
type Undrain struct{ P *Profile }

func (Undrain) Name() string { return "sm.undrain" }

func (m Undrain) Commands(t modules.Task) ([]string, error) {
	l, err := render(m.P, t.Kind, "accept_new_service", nil)
	return []string{l}, err
}

func (m Undrain) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	if _, err := r.run(ctx, "accept_new_service", nil); errors.Is(err, errDryRun) {
		return modules.Outcome{Summary: "dry-run: Accept New Service recorded"}, nil
	} else if err != nil {
		return modules.Outcome{}, err
	}
	return modules.Outcome{Summary: "accepting new service"}, nil
}
