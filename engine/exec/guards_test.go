package exec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/modules/sm"
)

func upFacts() sm.Facts {
	return sm.Facts{Release: "8.1.3.8", SSP: 41, ServiceState: sm.StateAccepting, Services: map[string]string{"a": "up"},
		DiskFreeMB: map[string]int64{"/var": 5000, "/opt": 5000}, UDSBackup: "ok", Users: 10, DataDigest: "abc"}
}

// wantGuard asserts err is a *GuardError with id, or nil when id is "".
func wantGuard(t *testing.T, name string, err error, id string) {
	t.Helper()
	var ge *GuardError
	switch {
	case id == "" && err != nil:
		t.Errorf("%s: unexpected refusal: %v", name, err)
	case id != "" && !errors.As(err, &ge):
		t.Errorf("%s: err = %v, want guard %s", name, err, id)
	case id != "" && ge.ID != id:
		t.Errorf("%s: guard %s, want %s", name, ge.ID, id)
	}
}

func TestGuardDrift(t *testing.T) {
	path := []string{"8.1.3.8", "10.2.0.1"}
	with := func(rel string, ssp int) sm.Facts { f := upFacts(); f.Release, f.SSP = rel, ssp; return f }
	for _, c := range []struct {
		name    string
		rel     string
		ssp     int
		f       sm.Facts
		resumed bool
		want    string
	}{
		{"same", "8.1.3.8", 41, with("8.1.3.8", 41), false, ""},
		{"ssp not declared", "8.1.3.8", -1, with("8.1.3.8", 12), false, ""},
		{"release differs", "8.1.3.8", -1, with("8.1.3.7", 41), false, guard.FactsDrift},
		{"ssp differs", "8.1.3.8", 41, with("8.1.3.8", 40), false, guard.FactsDrift},
		{"resumed mid-path", "8.1.3.8", 41, with("10.2.0.1", 0), true, ""},
		{"resumed off path", "8.1.3.8", 41, with("10.1.3.0", 0), true, guard.FactsDrift},
	} {
		wantGuard(t, c.name, checkDrift(c.rel, c.ssp, c.f, path, c.resumed), c.want)
	}
}

func TestGuardCallsPeerUDSServices(t *testing.T) {
	denying := upFacts()
	denying.ServiceState = sm.StateDenying
	busy := denying
	busy.ActiveCalls = 3
	down := upFacts()
	down.Services = map[string]string{"a": "down"}
	none := upFacts()
	none.Services = nil
	uds := func(s string) sm.Facts { f := upFacts(); f.UDSBackup = s; return f }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"calls drained", checkCalls(denying, 0, time.Minute), ""},
		{"calls above max", checkCalls(busy, 2, time.Minute), guard.CallsActive},
		{"calls within max", checkCalls(busy, 3, time.Minute), ""},
		{"still accepting", checkCalls(upFacts(), 0, time.Minute), guard.CallsActive},
		{"peer up", checkPeer("sm2", upFacts(), false), ""},
		{"peer denying", checkPeer("sm2", denying, false), guard.PeerUnavailable},
		{"peer drained by run", checkPeer("sm2", upFacts(), true), guard.PeerUnavailable},
		{"peer services down", checkPeer("sm2", down, false), guard.PeerUnavailable},
		{"uds ok", checkUDS(eval.KindSM, uds("ok")), ""},
		{"uds failed", checkUDS(eval.KindSM, uds("failed")), guard.UDSBackup},
		{"uds not configured", checkUDS(eval.KindSM, uds("not_configured")), guard.UDSBackup},
		{"uds unknown", checkUDS(eval.KindSM, uds("")), guard.UDSBackup},
		{"uds not on BSM", checkUDS(eval.KindBSM, uds("failed")), ""},
		{"uds not on SMGR", checkUDS(eval.KindSMGR, uds("")), ""},
		{"services up", checkServices(upFacts()), ""},
		{"services down", checkServices(down), guard.VerifyServices},
		{"no services", checkServices(none), guard.VerifyServices},
		{"release ok", checkRelease(upFacts(), "8.1.3.8"), ""},
		{"release wrong", checkRelease(upFacts(), "10.2.0.1"), guard.VerifyRelease},
	}
	for _, c := range cases {
		wantGuard(t, c.name, c.err, c.want)
	}
}

func TestGuardData(t *testing.T) {
	before := upFacts()
	fewer, other := before, before
	fewer.Users = 9
	other.DataDigest = "zzz"
	wantGuard(t, "same", checkData(before, before), "")
	wantGuard(t, "users", checkData(fewer, before), guard.VerifyData)
	wantGuard(t, "digest", checkData(other, before), guard.VerifyData)
}

func TestGuardWindowSkewDisk(t *testing.T) {
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	win := &eval.Window{Start: now.Add(-2 * time.Hour), End: now.Add(time.Hour)}
	skewed := func(d time.Duration) sm.Facts { f := upFacts(); f.Clock = now.Add(d); return f }
	low := upFacts()
	low.DiskFreeMB["/opt"] = 100
	noOpt := upFacts()
	delete(noOpt.DiskFreeMB, "/opt")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no window", checkWindow(nil, now, 100*time.Hour), ""},
		{"fits", checkWindow(win, now, 59*time.Minute), ""},
		{"too long", checkWindow(win, now, 61*time.Minute), guard.WindowClosed},
		{"window over", checkWindow(win, now.Add(2*time.Hour), time.Minute), guard.WindowClosed},
		{"skew small", checkSkew(skewed(30*time.Second), now, time.Minute), ""},
		{"skew ahead", checkSkew(skewed(5*time.Minute), now, time.Minute), guard.TimeSkew},
		{"skew behind", checkSkew(skewed(-61*time.Second), now, time.Minute), guard.TimeSkew},
		{"no clock", checkSkew(upFacts(), now, time.Minute), guard.TimeSkew},
		{"disk ok", checkDisk(upFacts(), []string{"/var", "/opt"}, 4000), ""},
		{"disk low", checkDisk(low, []string{"/var", "/opt"}, 4000), guard.DiskSpace},
		{"disk unreported", checkDisk(noOpt, []string{"/var", "/opt"}, 1), guard.DiskSpace},
	}
	for _, c := range cases {
		wantGuard(t, c.name, c.err, c.want)
	}
}

func TestGuardArchive(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.tgz")
	os.WriteFile(good, []byte("archive"), 0o600)
	empty := filepath.Join(dir, "e.tgz")
	os.WriteFile(empty, nil, 0o600)
	sum := sha256.Sum256([]byte("archive"))
	hexsum := hex.EncodeToString(sum[:])
	wantGuard(t, "good", checkArchive(good, hexsum), "")
	wantGuard(t, "mismatch", checkArchive(good, "00"), guard.BackupVerify)
	wantGuard(t, "empty", checkArchive(empty, hexsum), guard.BackupVerify)
	wantGuard(t, "missing", checkArchive(filepath.Join(dir, "x"), hexsum), guard.BackupVerify)
	wantGuard(t, "none", checkArchive("", hexsum), guard.BackupVerify)
}
