package sm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// errDryRun is returned by run when the connection recorded a changing
// command instead of running it; modules then report the predicted outcome.
var errDryRun = errors.New("dry-run: command recorded, not run")

// isDryRun reports whether conn is a dry-run connection (a Conn decorator
// that declares DryRun() true). Modules whose checks only make sense after a
// change really happened (verify) report the predicted outcome instead.
func isDryRun(conn modules.Conn) bool {
	d, ok := conn.(interface{ DryRun() bool })
	return ok && d.DryRun()
}

// changesNode lists the actions that change a node's software or data. When
// one of them outlives its timeout the node's state is unknown, and the step
// fails (see TimeoutError) instead of being taken for a reboot or re-run.
var changesNode = map[string]bool{"ssp_install": true, "upgrade": true, "rollback_install": true, "restore": true, "migrate": true}

// runner runs profile actions for one task over one connection.
type runner struct {
	p    *Profile
	conn modules.Conn
	node string
	kind string
}

// render returns an action's command line for plan output.
func render(p *Profile, kind, action string, args map[string]string) (string, error) {
	a, err := p.Action(kind, action)
	if err != nil {
		return "", err
	}
	return a.Render(args)
}

// run executes an action and returns its stdout. A non-zero status is a
// *CommandError; a transport failure is returned as is.
func (r runner) run(ctx context.Context, action string, args map[string]string) ([]byte, error) {
	a, err := r.p.Action(r.kind, action)
	if err != nil {
		return nil, err
	}
	c, err := a.Cmd(args)
	if err != nil {
		return nil, err
	}
	res, err := r.conn.Run(ctx, c)
	if err != nil && ctx.Err() == nil && c.Timeout > 0 && errors.Is(err, context.DeadlineExceeded) && changesNode[action] {
		// The action's own timeout, not the run's: an installer that hangs
		// is a failure the failure policy handles, not a reboot to ride out.
		return res.Stdout, &TimeoutError{Node: r.node, Action: action, After: c.Timeout}
	}
	if err != nil {
		return res.Stdout, &TransportError{Node: r.node, Action: action, Err: err}
	}
	if res.Skipped {
		return nil, errDryRun
	}
	if res.ExitCode != 0 {
		out := res.Stderr
		if len(out) == 0 {
			out = res.Stdout
		}
		return res.Stdout, &CommandError{Node: r.node, Action: action, Line: c.Line, ExitCode: res.ExitCode, Output: tail(out, 400)}
	}
	return res.Stdout, nil
}

// value runs an action and parses its output.
func (r runner) value(ctx context.Context, action string, args map[string]string) (Value, error) {
	out, err := r.run(ctx, action, args)
	if err != nil {
		return Value{}, err
	}
	a, _ := r.p.Action(r.kind, action)
	v, err := a.ParseOutput(out)
	if err != nil {
		return v, fmt.Errorf("%s: %w", r.node, err)
	}
	return v, nil
}

// remoteSum reads a node file's sha256 through the checksum action.
func (r runner) remoteSum(ctx context.Context, path string) (string, error) {
	v, err := r.value(ctx, "checksum", map[string]string{"path": path})
	return v.Text, err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// argDuration reads a Go duration argument with a default.
func argDuration(t modules.Task, name string, def time.Duration) (time.Duration, error) {
	s := t.Args[name]
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: argument %s=%q is not a duration", t.Node, name, s)
	}
	return d, nil
}

// waitArgs reads the arguments of a module that waits for the node: its
// bound (the argument name, default def) and `poll`, how often it reads the
// node again (missing or zero, defaultPoll).
func waitArgs(t modules.Task, name string, def time.Duration) (limit, poll time.Duration, err error) {
	if limit, err = argDuration(t, name, def); err != nil {
		return 0, 0, err
	}
	if poll, err = argDuration(t, "poll", defaultPoll); err != nil {
		return 0, 0, err
	}
	if poll <= 0 {
		poll = defaultPoll
	}
	return limit, poll, nil
}

// needArgs checks that required task arguments are present.
func needArgs(t modules.Task, module string, names ...string) error {
	for _, n := range names {
		if t.Args[n] == "" {
			return fmt.Errorf("%s: %s needs argument %q", t.Node, module, n)
		}
	}
	return nil
}
