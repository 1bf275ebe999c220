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

// Verify is sm.verify: after a hop, every service up and the profile's
// health check passing; the release `release` (default: the task's To) and
// users and data digest `expect_users` / `expect_digest` when the task asks
// for them. What it sees unmet it reports as an *Unmet; for the planned
// verify the engine's verify guards judge release, services and data and
// ask it only for the health check. A node that just rebooted
// is given `settle` (default 10m, polled every `poll`, default 1s) for its
// services to come up; a wrong release fails at once.
type Verify struct{ P *Profile }

func (Verify) Name() string { return "sm.verify" }

func (m Verify) Commands(t modules.Task) ([]string, error) {
	out, err := factCommands(m.P, t.Kind)
	if err != nil || !m.P.Has(t.Kind, "verify") {
		return out, err
	}
	l, err := render(m.P, t.Kind, "verify", nil)
	return append(out, l), err
}

const defaultSettle = 10 * time.Minute

func (m Verify) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	want := t.Args["release"]
	if want == "" {
		want = t.To
	}
	if isDryRun(conn) {
		if want == "" {
			return modules.Outcome{Summary: "dry-run: would verify"}, nil
		}
		return modules.Outcome{Summary: "dry-run: would verify release " + want}, nil
	}
	settle, poll, err := waitArgs(t, "settle", defaultSettle)
	if err != nil {
		return modules.Outcome{}, err
	}
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	deadline := time.Now().Add(settle)
	var f Facts
	for {
		f, err = gather(ctx, r, t.Node)
		if err != nil {
			return modules.Outcome{}, err
		}
		if want != "" && f.Release != want {
			return modules.Outcome{Values: f.Values()}, &Unmet{ObsRelease, t.Node, fmt.Sprintf("release %s, want %s", f.Release, want)}
		}
		if f.AllServicesUp() {
			break
		}
		if !time.Now().Before(deadline) {
			return modules.Outcome{Values: f.Values()}, &Unmet{ObsServices, t.Node, "services down after " + settle.String() + ": " + strings.Join(f.DownServices(), ", ")}
		}
		if err := sleep(ctx, poll); err != nil {
			return modules.Outcome{}, err
		}
	}
	if m.P.Has(t.Kind, "verify") {
		if _, err := r.run(ctx, "verify", nil); err != nil {
			var ce *CommandError
			if errors.As(err, &ce) {
				return modules.Outcome{Values: f.Values()}, &Unmet{ObsServices, t.Node, "health check failed: " + ce.Output}
			}
			return modules.Outcome{}, err
		}
	}
	if s := t.Args["expect_users"]; s != "" {
		if n, err := strconv.Atoi(s); err == nil && n != f.Users {
			return modules.Outcome{Values: f.Values()}, &Unmet{ObsData, t.Node, fmt.Sprintf("%d users, %d before the hop", f.Users, n)}
		}
	}
	if d := t.Args["expect_digest"]; d != "" && d != f.DataDigest {
		return modules.Outcome{Values: f.Values()}, &Unmet{ObsData, t.Node, fmt.Sprintf("user data digest %s differs from before the hop (%s): data was lost", short(f.DataDigest), short(d))}
	}
	return modules.Outcome{Values: f.Values(), Summary: fmt.Sprintf("verified: release %s, services up, %d users", f.Release, f.Users)}, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
