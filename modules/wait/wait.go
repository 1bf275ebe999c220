// Package wait holds the user-step modules that act on the controller only:
// wait (sleep for a duration) and pause (a message to the operator).
package wait

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// Module is the wait module: it sleeps on the controller, ctx-aware.
type Module struct{}

// Spec is what a step block gives the wait module.
var Spec = modules.Spec{
	Name:       "wait",
	Doc:        "waits on the controller for a duration",
	KeepsFacts: true,
	Args: []modules.Arg{
		{Name: "duration", Type: modules.Duration, Required: true, Doc: `how long to wait, such as "30s"`},
	},
}

// PauseSpec is what a step block gives the pause module.
var PauseSpec = modules.Spec{
	Name:       "pause",
	Doc:        "shows a message to the operator and, in an interactive run, waits for an answer",
	KeepsFacts: true,
	Args: []modules.Arg{
		{Name: "message", Type: modules.String, Doc: "the text shown to the operator"},
	},
}

func (Module) Name() string { return "wait" }

// Commands is empty: nothing runs on the node.
func (Module) Commands(t modules.Task) ([]string, error) {
	_, err := duration(t)
	return nil, err
}

func duration(t modules.Task) (time.Duration, error) {
	d, err := time.ParseDuration(t.Args["duration"])
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: wait needs a duration such as \"30s\", got %q", t.Node, t.Args["duration"])
	}
	return d, nil
}

// Run waits for the duration or until ctx ends.
func (Module) Run(ctx context.Context, _ modules.Conn, t modules.Task) (modules.Outcome, error) {
	d, err := duration(t)
	if err != nil {
		return modules.Outcome{}, err
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return modules.Outcome{Summary: "waited " + d.String()}, nil
	case <-ctx.Done():
		return modules.Outcome{}, ctx.Err()
	}
}

// Pause is the pause module: it shows a message to the operator. With a
// Prompt (an interactive run) it waits for the operator's answer; without
// one (non-interactive runs) it only reports the message in its summary, for
// the log and the record.
type Pause struct {
	Prompt func(ctx context.Context, message string) error
}

func (Pause) Name() string { return "pause" }

func (Pause) Commands(t modules.Task) ([]string, error) { return nil, nil }

// Run shows the message.
func (p Pause) Run(ctx context.Context, _ modules.Conn, t modules.Task) (modules.Outcome, error) {
	msg := strings.TrimSpace(t.Args["message"])
	if msg == "" {
		msg = "paused"
	}
	if p.Prompt != nil {
		if err := p.Prompt(ctx, msg); err != nil {
			return modules.Outcome{}, err
		}
	}
	return modules.Outcome{Summary: "pause: " + msg}, nil
}
