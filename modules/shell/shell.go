// Package shell is the module of user `shell` steps: it runs the command the
// manifest author wrote, as written.
//
// Quoting: the command is the author's own shell code and is sent as is.
// Values interpolated into it by HCL (${node.name}, ${var.x}) are not quoted
// by this module, because it cannot tell them from the author's syntax; a
// manifest must quote them itself, e.g. with a quoting function of the
// manifest language, as the examples do.
package shell

import (
	"context"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/modules"
)

// NotExecutedSummary starts the summary of a step whose command a simulated
// node (the lab) did not run.
const NotExecutedSummary = "not executed in the lab: "

// Module is the shell module.
type Module struct{}

// Spec is what a step block gives the shell module.
var Spec = modules.Spec{
	Name: "shell",
	Doc:  "runs a command line on each matched node, as written",
	Args: []modules.Arg{
		{Name: "command", Type: modules.String, Required: true, Doc: "the shell command line; quote interpolated values yourself"},
		{Name: modules.ChangesFactsArg, Type: modules.Bool, Doc: "false when the command only reads: the node's facts are not read again because of it (default true)"},
	},
}

// ExitError is a shell step whose command ended with a non-zero status.
type ExitError struct {
	Node     string
	ExitCode int
	Output   string // tail of stderr, or stdout when stderr is empty
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("%s: shell: exit status %d: %s", e.Node, e.ExitCode, e.Output)
}

func (Module) Name() string { return "shell" }

// Commands is the command itself.
func (Module) Commands(t modules.Task) ([]string, error) {
	c := t.Args["command"]
	if strings.TrimSpace(c) == "" {
		return nil, fmt.Errorf("%s: shell needs a command", t.Node)
	}
	return []string{c}, nil
}

// Run executes the command as a change (never read-only: the tool cannot
// know what a user's command does, so dry-run only records it).
func (m Module) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	cmds, err := m.Commands(t)
	if err != nil {
		return modules.Outcome{}, err
	}
	res, err := conn.Run(ctx, modules.Command{Line: cmds[0], Timeout: t.Timeout})
	if err != nil {
		return modules.Outcome{}, err
	}
	if res.Skipped {
		return modules.Outcome{Summary: "dry-run: recorded"}, nil
	}
	if res.NotExecuted {
		// A simulated node ran nothing: say so with the command as rendered,
		// and do not pretend it succeeded or failed.
		return modules.Outcome{
			Values:  map[string]string{"not_executed": "true"},
			Summary: NotExecutedSummary + cmds[0],
		}, nil
	}
	if res.ExitCode != 0 {
		out := res.Stderr
		if len(out) == 0 {
			out = res.Stdout
		}
		return modules.Outcome{}, &ExitError{Node: t.Node, ExitCode: res.ExitCode, Output: tail(out, 400)}
	}
	return modules.Outcome{
		Values:  map[string]string{"stdout": tail(res.Stdout, 4096), "exit_code": "0"},
		Summary: "exit 0",
	}, nil
}

func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
