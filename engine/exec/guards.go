package exec

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/internal/fileio"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// checkDrift compares the declared release and SSP with the node's facts. On
// resume the node may legitimately be anywhere on its planned path.
func checkDrift(declRelease string, declSSP int, f facts.Facts, path []string, resumed bool) error {
	if resumed && slices.Contains(path, f.Release) {
		return nil
	}
	if f.Release != declRelease {
		return guardErr(guard.FactsDrift, "declared release %s, node reports %s", declRelease, f.Release)
	}
	if declSSP >= 0 && f.SSP != declSSP && !(resumed && f.SSP > declSSP) {
		return guardErr(guard.FactsDrift, "declared SSP %d, node reports %d", declSSP, f.SSP)
	}
	return nil
}

// checkCalls is the drain's verdict: calls at most max once the drain ended.
func checkCalls(f facts.Facts, max int, timeout time.Duration) error {
	if f.ActiveCalls > max {
		return guardErr(guard.CallsActive, "%d active calls still above %d after drain_timeout %s", f.ActiveCalls, max, timeout)
	}
	if f.ServiceState != sm.StateDenying {
		return guardErr(guard.CallsActive, "node is %q, not denying new service after the drain", f.ServiceState)
	}
	return nil
}

// checkPeer requires the secondary to be in service: accepting new service
// and not drained by this run.
func checkPeer(peer string, f facts.Facts, drainedByRun bool) error {
	if drainedByRun {
		return guardErr(guard.PeerUnavailable, "secondary %s is out of service in this run", peer)
	}
	if f.ServiceState != sm.StateAccepting {
		return guardErr(guard.PeerUnavailable, "secondary %s is %q, not accepting new service", peer, f.ServiceState)
	}
	if !f.AllServicesUp() {
		return guardErr(guard.PeerUnavailable, "secondary %s has services down: %s", peer, downServices(f))
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
		return guardErr(guard.WindowClosed, "window %s opens in %s (now %s)",
			windowText(w), w.Start.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339))
	}
	left := w.End.Sub(now)
	if left < need {
		if left < 0 {
			left = 0
		}
		return guardErr(guard.WindowClosed, "window ends %s: %s left, node needs about %s",
			w.End.UTC().Format(time.RFC3339), left.Round(time.Second), need.Round(time.Second))
	}
	return nil
}

// checkDisk requires needMB free on every mount. A mount the node does not
// report counts as not enough: an unknown is not a yes.
func checkDisk(f facts.Facts, mounts []string, needMB int64) error {
	for _, m := range mounts {
		free, ok := f.DiskFreeMB[m]
		if !ok {
			return guardErr(guard.DiskSpace, "free space on %s is not reported; %d MB needed", m, needMB)
		}
		if free < needMB {
			return guardErr(guard.DiskSpace, "%d MB free on %s, %d MB needed", free, m, needMB)
		}
	}
	return nil
}

// checkSkew compares the node's clock with the controller's.
func checkSkew(f facts.Facts, now time.Time, max time.Duration) error {
	if f.Clock.IsZero() {
		return guardErr(guard.TimeSkew, "node clock not reported")
	}
	d := f.Clock.Sub(now)
	if d < 0 {
		d = -d
	}
	if d > max {
		return guardErr(guard.TimeSkew, "node clock differs from the controller by %s (max %s)", d.Round(time.Second), max)
	}
	return nil
}

// checkUDS applies to core Session Managers only: their User Data Storage
// backup must be configured and its last run must have succeeded.
func checkUDS(kind rollout.Kind, f facts.Facts) error {
	if !kind.Spec().Core {
		return nil
	}
	switch f.UDSBackup {
	case "ok":
		return nil
	case "not_configured":
		return guardErr(guard.UDSBackup, "User Data Storage backup is not configured")
	case "failed":
		return guardErr(guard.UDSBackup, "last User Data Storage backup failed")
	}
	return guardErr(guard.UDSBackup, "User Data Storage backup status %q is unknown", f.UDSBackup)
}

// checkArchive verifies a pulled backup: present, non-empty, sha256 as the
// module reported it.
func checkArchive(path, want string) error {
	if path == "" {
		return guardErr(guard.BackupVerify, "backup step returned no archive")
	}
	got, n, err := fileio.SHA256(context.Background(), path)
	if err != nil {
		return guardErr(guard.BackupVerify, "archive %s: %v", path, err)
	}
	if n == 0 {
		return guardErr(guard.BackupVerify, "archive %s is empty", path)
	}
	if !strings.EqualFold(got, want) {
		return guardErr(guard.BackupVerify, "archive %s sha256 %s, expected %s", path, got, want)
	}
	return nil
}

func checkRelease(f facts.Facts, want string) error {
	if f.Release != want {
		return guardErr(guard.VerifyRelease, "node reports release %s, expected %s", f.Release, want)
	}
	return nil
}

func checkServices(f facts.Facts) error {
	if !f.AllServicesUp() {
		return guardErr(guard.VerifyServices, "services not up: %s", downServices(f))
	}
	return nil
}

// checkData compares users and the data digest with the facts taken before
// the hop; for a cross-line hop this runs after the restore.
func checkData(f, before facts.Facts) error {
	if f.Users != before.Users {
		return guardErr(guard.VerifyData, "%d users, %d before the hop", f.Users, before.Users)
	}
	if f.DataDigest != before.DataDigest {
		return guardErr(guard.VerifyData, "data digest %s differs from %s before the hop", short(f.DataDigest), short(before.DataDigest))
	}
	return nil
}

func downServices(f facts.Facts) string {
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
