package sm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// factActions are the read-only actions facts are gathered from, in order.
var factActions = []string{"release", "ssp", "service_state", "active_calls", "services", "disk", "clock", "uds_backup", "users", "data_digest"}

// GatherFacts reads a node's facts with the read-only actions of the
// profile for kind. An action the kind lacks leaves its fact at the zero
// value (SSP at -1). The first failure is returned, typed: a transport error
// as is, a non-zero exit as *CommandError (errors.Is ErrPasswordExpired
// when the account must change its password), a bad output as *ParseError.
func GatherFacts(ctx context.Context, conn modules.Conn, kind string, p *Profile) (Facts, error) {
	return gather(ctx, runner{p: p, conn: conn, kind: kind}, "")
}

func gather(ctx context.Context, r runner, node string) (Facts, error) {
	r.node = node
	f := Facts{SSP: -1}
	if r.p.Err() == nil && r.p.Kinds[r.kind] == nil {
		return f, &ActionError{Kind: r.kind, Action: "facts", Err: fmt.Errorf("the profile has no kind %q", r.kind)}
	}
	var joined, separate []string
	for _, action := range factActions {
		a, err := r.p.Action(r.kind, action)
		if errors.Is(err, ErrNoAction) {
			continue
		}
		if err != nil {
			return f, err
		}
		if !a.ReadOnly {
			return f, fmt.Errorf("profile: %s.%s must be read_only to gather facts", r.kind, action)
		}
		if a.Separate || a.Stdin != "" {
			separate = append(separate, action)
		} else {
			joined = append(joined, action)
		}
	}
	values := map[string]Value{}
	if len(joined) > 0 {
		vs, err := r.composite(ctx, joined)
		if err != nil {
			return f, err
		}
		for i, action := range joined {
			values[action] = vs[i]
		}
	}
	for _, action := range separate {
		v, err := r.value(ctx, action, nil)
		if err != nil {
			return f, err
		}
		values[action] = v
	}
	for _, action := range factActions {
		v, ok := values[action]
		if !ok {
			continue
		}
		if err := setFact(&f, action, v); err != nil {
			return f, fmt.Errorf("%s: %w", node, &ParseError{Action: action, Detail: err.Error()})
		}
	}
	return f, nil
}

// setFact stores one parsed value in its typed field.
func setFact(f *Facts, action string, v Value) error {
	var err error
	switch action {
	case "release":
		f.Release = v.Text
	case "ssp":
		f.SSP, err = strconv.Atoi(strings.TrimSpace(v.Text))
	case "service_state":
		f.ServiceState = v.Text
	case "active_calls":
		f.ActiveCalls, err = strconv.Atoi(v.Text)
	case "services":
		f.Services = v.Map
	case "disk":
		f.DiskFreeMB = map[string]int64{}
		for m, s := range v.Map {
			if f.DiskFreeMB[m], err = strconv.ParseInt(s, 10, 64); err != nil {
				return err
			}
		}
	case "clock":
		f.Clock, err = time.Parse(time.RFC3339, v.Text)
	case "uds_backup":
		f.UDSBackup = v.Text
	case "users":
		f.Users, err = strconv.Atoi(v.Text)
	case "data_digest":
		f.DataDigest = v.Text
	}
	return err
}
