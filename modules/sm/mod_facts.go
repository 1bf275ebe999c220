package sm

import (
	"context"
	"fmt"

	"github.com/runbook-dev/runbook/modules"
)

// FactsModule is the sm.facts module: it gathers facts with read-only commands.
// (Facts is the name of what it gathers.)
type FactsModule struct{ P *Profile }

func (FactsModule) Name() string { return "sm.facts" }

// Commands lists the read-only fact commands of the task's kind.
func (m FactsModule) Commands(t modules.Task) ([]string, error) { return factCommands(m.P, t.Kind) }

func factCommands(p *Profile, kind string) ([]string, error) {
	var out []string
	for _, a := range factActions {
		if !p.Has(kind, a) {
			continue
		}
		l, err := render(p, kind, a, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Run gathers the facts; Outcome.Values carries them flattened.
func (m FactsModule) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	f, err := gather(ctx, runner{p: m.P, conn: conn, kind: t.Kind}, t.Node)
	if err != nil {
		return modules.Outcome{}, err
	}
	return modules.Outcome{Values: f.Values(), Summary: summary(f)}, nil
}

func summary(f Facts) string {
	return fmt.Sprintf("release %s, ssp %d, %s, %d active calls, %d users", f.Release, f.SSP, f.ServiceState, f.ActiveCalls, f.Users)
}

// Precheck is sm.precheck: facts plus the node's own health check.
type Precheck struct{ P *Profile }

func (Precheck) Name() string { return "sm.precheck" }

func (m Precheck) Commands(t modules.Task) ([]string, error) {
	out, err := factCommands(m.P, t.Kind)
	if err != nil || !m.P.Has(t.Kind, "precheck") {
		return out, err
	}
	l, err := render(m.P, t.Kind, "precheck", nil)
	return append(out, l), err
}

// Run reads facts, runs the health check and reports both.
func (m Precheck) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	f, err := gather(ctx, r, t.Node)
	if err != nil {
		return modules.Outcome{}, err
	}
	if m.P.Has(t.Kind, "precheck") {
		if _, err := r.run(ctx, "precheck", nil); err != nil {
			return modules.Outcome{Values: f.Values()}, err
		}
	}
	return modules.Outcome{Values: f.Values(), Summary: "precheck ok: " + summary(f)}, nil
}
