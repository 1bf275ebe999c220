package sm

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/runbook-dev/runbook/modules"
)

// SSP is sm.ssp: install a Security Service Pack medium. The node reboots.
type SSP struct{ P *Profile }

func (SSP) Name() string { return "sm.ssp" }

func (m SSP) Commands(t modules.Task) ([]string, error) {
	l, err := render(m.P, t.Kind, "ssp_install", mediaArgs(t))
	return []string{l}, err
}

func (m SSP) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if err := needArgs(t, m.Name(), "media", "sha256"); err != nil {
		return modules.Outcome{}, err
	}
	return install(ctx, runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}, t, "ssp_install")
}

// Confirm reads facts after the reboot: the SSP level must have reached the
// task's ssp argument (when given).
func (m SSP) Confirm(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	f, err := gather(ctx, runner{p: m.P, conn: conn, kind: t.Kind}, t.Node)
	if err != nil {
		return modules.Outcome{}, err
	}
	if want, err := strconv.Atoi(t.Args["ssp"]); err == nil && f.SSP < want {
		return modules.Outcome{Values: f.Values()}, fmt.Errorf("%s: SSP %d is installed after the reboot, want %d: the install did not take", t.Node, f.SSP, want)
	}
	return modules.Outcome{Values: f.Values(), Summary: fmt.Sprintf("SSP %d installed on %s", f.SSP, f.Release)}, nil
}

// Upgrade is sm.upgrade: install a release medium. The node reboots; across
// lines its user data is gone until sm.restore or sm.migrate.
type Upgrade struct{ P *Profile }

func (Upgrade) Name() string { return "sm.upgrade" }

func (m Upgrade) Commands(t modules.Task) ([]string, error) {
	l, err := render(m.P, t.Kind, upgradeAction(t), mediaArgs(t))
	return []string{l}, err
}

func (m Upgrade) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if err := needArgs(t, m.Name(), "media", "sha256"); err != nil {
		return modules.Outcome{}, err
	}
	return install(ctx, runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}, t, upgradeAction(t))
}

// upgradeAction is "upgrade", or "rollback_install" when the failure policy
// puts a node back on its source release: installers refuse an older
// release unless told it is a rollback, and the profile says how to tell.
func upgradeAction(t modules.Task) string {
	if t.Args["rollback"] == "true" {
		return "rollback_install"
	}
	return "upgrade"
}

// Confirm reads facts after the reboot: the release must be the hop's To.
func (m Upgrade) Confirm(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	f, err := gather(ctx, runner{p: m.P, conn: conn, kind: t.Kind}, t.Node)
	if err != nil {
		return modules.Outcome{}, err
	}
	if t.To != "" && f.Release != t.To {
		return modules.Outcome{Values: f.Values()}, &Unmet{ObsRelease, t.Node, fmt.Sprintf("release %s after the reboot, want %s", f.Release, t.To)}
	}
	return modules.Outcome{Values: f.Values(), Summary: "upgraded to " + f.Release}, nil
}

func mediaArgs(t modules.Task) map[string]string {
	return map[string]string{"media": placeholder(t.Args, "media"), "sha256": placeholder(t.Args, "sha256")}
}

// install runs an installer. The connection dropping under it is the
// expected end (the node reboots): that is a *RebootError, which the engine
// answers by reconnecting and calling Confirm.
func install(ctx context.Context, r runner, t modules.Task, action string) (modules.Outcome, error) {
	out, err := r.run(ctx, action, map[string]string{"media": t.Args["media"], "sha256": t.Args["sha256"]})
	switch {
	case errors.Is(err, errDryRun):
		return modules.Outcome{Summary: "dry-run: " + action + " recorded"}, nil
	case err != nil && ctx.Err() == nil && isTransport(err):
		return modules.Outcome{}, &RebootError{Node: t.Node, Action: action, Err: errors.Unwrap(err)}
	case err != nil:
		return modules.Outcome{}, err
	}
	return modules.Outcome{Summary: action + " ended without a reboot: " + tail(out, 200)}, nil
}

func isTransport(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}
