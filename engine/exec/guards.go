package exec

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/fileio"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Runtime guard ids (the guard table of the README's "Planning"). They are
// stable: scripts and records rely on them.
const (
	GuardFactsDrift      = "facts.drift"
	GuardCallsActive     = "calls.active"
	GuardPeerUnavailable = "peer.unavailable"
	GuardWindowClosed    = "window.closed"
	GuardDiskSpace       = "disk.space"
	GuardTimeSkew        = "time.skew"
	GuardUDSBackup       = "uds.backup"
	GuardBackupVerify    = "backup.verify"
	GuardVerifyRelease   = "verify.release"
	GuardVerifyServices  = "verify.services"
	GuardVerifyData      = "verify.data"
	// GuardOutOfService is the run-time re-check of the plan's one-node-out
	// rule (oos.go): it refuses a drain the plan should never have allowed.
	GuardOutOfService = "cluster.out_of_service"
	// GuardSMGRFirst re-checks at run time that SMGR is on a line at least as
	// new as the hop an SM/BSM is about to make (README "Planning": System
	// Manager before any SM/BSM hop to a newer line).
	GuardSMGRFirst = "order.smgr_first"
	// GuardFirewallPorts refuses an SM/BSM that cannot reach System Manager
	// on a port of the catalog's port matrix (see firewall.go).
	GuardFirewallPorts = "firewall.ports"
)

// checkDrift compares the declared release and SSP with the node's facts. On
// resume the node may legitimately be anywhere on its planned path.
func checkDrift(declRelease string, declSSP int, f sm.Facts, path []string, resumed bool) error {
	if resumed && slices.Contains(path, f.Release) {
		return nil
	}
	if f.Release != declRelease {
		return guardErr(GuardFactsDrift, "declared release %s, node reports %s", declRelease, f.Release)
	}
	if declSSP >= 0 && f.SSP != declSSP && !(resumed && f.SSP > declSSP) {
		return guardErr(GuardFactsDrift, "declared SSP %d, node reports %d", declSSP, f.SSP)
	}
	return nil
}

// checkCalls is the drain's verdict: calls at most max once the drain ended.
func checkCalls(f sm.Facts, max int, timeout time.Duration) error {
	if f.ActiveCalls > max {
		return guardErr(GuardCallsActive, "%d active calls still above %d after drain_timeout %s", f.ActiveCalls, max, timeout)
	}
	if f.ServiceState != sm.StateDenying {
		return guardErr(GuardCallsActive, "node is %q, not denying new service after the drain", f.ServiceState)
	}
	return nil
}

// checkPeer requires the secondary to be in service: accepting new service
// and not drained by this run.
func checkPeer(peer string, f sm.Facts, drainedByRun bool) error {
	if drainedByRun {
		return guardErr(GuardPeerUnavailable, "secondary %s is out of service in this run", peer)
	}
	if f.ServiceState != sm.StateAccepting {
		return guardErr(GuardPeerUnavailable, "secondary %s is %q, not accepting new service", peer, f.ServiceState)
	}
	if !f.AllServicesUp() {
		return guardErr(GuardPeerUnavailable, "secondary %s has services down: %s", peer, downServices(f))
	}
	return nil
}

// checkWindow refuses a node-changing step when now is outside the window,
// or when the node's remaining estimated duration (need) does not fit in
// what is left of it. No window: no limit.
func checkWindow(w *eval.Window, now time.Time, need time.Duration) error {
	if w == nil || w.End.IsZero() {
		return nil
	}
	if now.Before(w.Start) {
		return guardErr(GuardWindowClosed, "window %s opens in %s (now %s)",
			windowText(w), w.Start.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339))
	}
	left := w.End.Sub(now)
	if left < need {
		if left < 0 {
			left = 0
		}
		return guardErr(GuardWindowClosed, "window ends %s: %s left, node needs about %s",
			w.End.UTC().Format(time.RFC3339), left.Round(time.Second), need.Round(time.Second))
	}
	return nil
}

// checkDisk requires needMB free on every mount. A mount the node does not
// report counts as not enough: an unknown is not a yes.
func checkDisk(f sm.Facts, mounts []string, needMB int64) error {
	for _, m := range mounts {
		free, ok := f.DiskFreeMB[m]
		if !ok {
			return guardErr(GuardDiskSpace, "free space on %s is not reported; %d MB needed", m, needMB)
		}
		if free < needMB {
			return guardErr(GuardDiskSpace, "%d MB free on %s, %d MB needed", free, m, needMB)
		}
	}
	return nil
}

// checkSkew compares the node's clock with the controller's.
func checkSkew(f sm.Facts, now time.Time, max time.Duration) error {
	if f.Clock.IsZero() {
		return guardErr(GuardTimeSkew, "node clock not reported")
	}
	d := f.Clock.Sub(now)
	if d < 0 {
		d = -d
	}
	if d > max {
		return guardErr(GuardTimeSkew, "node clock differs from the controller by %s (max %s)", d.Round(time.Second), max)
	}
	return nil
}

// checkUDS applies to core Session Managers only: their User Data Storage
// backup must be configured and its last run must have succeeded.
func checkUDS(kind rollout.Kind, f sm.Facts) error {
	if !kind.Spec().Core {
		return nil
	}
	switch f.UDSBackup {
	case "ok":
		return nil
	case "not_configured":
		return guardErr(GuardUDSBackup, "User Data Storage backup is not configured")
	case "failed":
		return guardErr(GuardUDSBackup, "last User Data Storage backup failed")
	}
	return guardErr(GuardUDSBackup, "User Data Storage backup status %q is unknown", f.UDSBackup)
}

// checkArchive verifies a pulled backup: present, non-empty, sha256 as the
// module reported it.
func checkArchive(path, want string) error {
	if path == "" {
		return guardErr(GuardBackupVerify, "backup step returned no archive")
	}
	got, n, err := fileio.SHA256(context.Background(), path)
	if err != nil {
		return guardErr(GuardBackupVerify, "archive %s: %v", path, err)
	}
	if n == 0 {
		return guardErr(GuardBackupVerify, "archive %s is empty", path)
	}
	if !strings.EqualFold(got, want) {
		return guardErr(GuardBackupVerify, "archive %s sha256 %s, expected %s", path, got, want)
	}
	return nil
}

func checkRelease(f sm.Facts, want string) error {
	if f.Release != want {
		return guardErr(GuardVerifyRelease, "node reports release %s, expected %s", f.Release, want)
	}
	return nil
}

func checkServices(f sm.Facts) error {
	if !f.AllServicesUp() {
		return guardErr(GuardVerifyServices, "services not up: %s", downServices(f))
	}
	return nil
}

// checkData compares users and the data digest with the facts taken before
// the hop; for a cross-line hop this runs after the restore.
func checkData(f, before sm.Facts) error {
	if f.Users != before.Users {
		return guardErr(GuardVerifyData, "%d users, %d before the hop", f.Users, before.Users)
	}
	if f.DataDigest != before.DataDigest {
		return guardErr(GuardVerifyData, "data digest %s differs from %s before the hop", short(f.DataDigest), short(before.DataDigest))
	}
	return nil
}

func downServices(f sm.Facts) string {
	if len(f.Services) == 0 {
		return "none reported"
	}
	var down []string
	for n, s := range f.Services {
		if s != "up" {
			down = append(down, n+"="+s)
		}
	}
	sort.Strings(down)
	return strings.Join(down, ", ")
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	if s == "" {
		return "(none)"
	}
	return s
}
