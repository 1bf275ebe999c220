package sm

import (
	"context"
	"errors"

	"github.com/runbook-dev/runbook/modules"
)

// Replication is sm.replication_off and sm.replication_on: the profile action
// of the same name disables or re-enables the data replication of a
// geo-redundant System Manager pair (the vendor upgrades both members with
// replication disabled). Running it again is harmless.
type Replication struct {
	P *Profile
	// On selects replication_on; replication_off otherwise.
	On bool
}

func (m Replication) action() string {
	if m.On {
		return "replication_on"
	}
	return "replication_off"
}

func (m Replication) Name() string { return "sm." + m.action() }

func (m Replication) Commands(t modules.Task) ([]string, error) {
	l, err := render(m.P, t.Kind, m.action(), nil)
	return []string{l}, err
}

func (m Replication) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	state := "disabled"
	if m.On {
		state = "enabled"
	}
	if _, err := r.run(ctx, m.action(), nil); errors.Is(err, errDryRun) {
		return modules.Outcome{Summary: "dry-run: geo-redundant replication " + state + " recorded"}, nil
	} else if err != nil {
		return modules.Outcome{}, err
	}
	return modules.Outcome{Summary: "geo-redundant replication " + state}, nil
}
