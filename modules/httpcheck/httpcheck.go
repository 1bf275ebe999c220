// Package httpcheck is the module of user `http_check` steps: from the node,
// it fetches a URL with curl and succeeds when the server answers with a
// status below 400 within the timeout. A step after verify checks, for
// instance, that a service behind the node answers before the walk goes on.
//
// The request is made by the node, never by the controller: the URL is one
// quoted word of the remote command line. The command counts as a change
// (a GET can have effects the tool cannot know), so a dry-run records it.
package httpcheck

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/shell"
)

// Spec is what a step block gives the http_check module.
var Spec = modules.Spec{
	Name:       "http_check",
	Doc:        "fetches a URL from the node with curl; succeeds on an HTTP status below 400",
	KeepsFacts: true,
	Args: []modules.Arg{
		{Name: "url", Type: modules.String, Required: true, Doc: "the http:// or https:// URL the node fetches"},
		{Name: "timeout", Type: modules.Duration, Doc: `how long the whole request may take (default "10s")`},
		{Name: "insecure", Type: modules.Bool, Doc: "accept a certificate the node cannot verify (curl -k)"},
	},
}

// DefaultTimeout bounds a check whose step gives no timeout.
const DefaultTimeout = 10 * time.Second

// Module is the http_check module.
type Module struct{}

func (Module) Name() string { return Spec.Name }

// CheckError is a check whose request failed: curl's exit status (22 for
// an HTTP status of 400 or more, 7 for a refused connection, 28 for the
// timeout) and its message.
type CheckError struct {
	Node, URL string
	ExitCode  int
	Output    string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%s: http_check %s: curl exit status %d: %s", e.Node, e.URL, e.ExitCode, e.Output)
}

// Commands is the one curl command line, every value quoted.
func (Module) Commands(t modules.Task) ([]string, error) {
	line, _, err := command(t)
	if err != nil {
		return nil, err
	}
	return []string{line}, nil
}

func command(t modules.Task) (string, time.Duration, error) {
	raw := t.Args["url"]
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", 0, fmt.Errorf("%s: http_check needs an http:// or https:// URL, got %q", t.Node, raw)
	}
	d := DefaultTimeout
	if s := t.Args["timeout"]; s != "" {
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return "", 0, fmt.Errorf("%s: http_check needs a timeout such as \"10s\", got %q", t.Node, s)
		}
	}
	var b strings.Builder
	b.WriteString("curl -fsS")
	if t.Args["insecure"] == "true" {
		b.WriteString(" -k")
	}
	fmt.Fprintf(&b, " --max-time %s -o /dev/null -w '%%{http_code}' %s",
		strconv.FormatFloat(d.Seconds(), 'f', -1, 64), modules.Quote(raw))
	return b.String(), d, nil
}

// Run sends the check through conn. The command is bounded by the request
// timeout plus a margin for the connection, and by the step's own timeout.
func (Module) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	line, d, err := command(t)
	if err != nil {
		return modules.Outcome{}, err
	}
	limit := d + 5*time.Second
	if t.Timeout > 0 && t.Timeout < limit {
		limit = t.Timeout
	}
	res, err := conn.Run(ctx, modules.Command{Line: line, Timeout: limit})
	switch {
	case err != nil:
		return modules.Outcome{}, err
	case res.Skipped:
		return modules.Outcome{Summary: "dry-run: recorded"}, nil
	case res.NotExecuted:
		// A simulated node (the lab) does not fetch URLs: say so, neither
		// passed nor failed, as a shell step does.
		return modules.Outcome{Values: map[string]string{"not_executed": "true"}, Summary: shell.NotExecutedSummary + line}, nil
	case res.ExitCode != 0:
		out := strings.TrimSpace(string(res.Stderr))
		if len(out) > 400 {
			out = out[:400] + "…"
		}
		return modules.Outcome{}, &CheckError{Node: t.Node, URL: t.Args["url"], ExitCode: res.ExitCode, Output: out}
	}
	status := strings.TrimSpace(string(res.Stdout))
	return modules.Outcome{Values: map[string]string{"status": status}, Summary: "HTTP " + status}, nil
}
