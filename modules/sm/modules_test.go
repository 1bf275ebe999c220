package sm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func TestGatherFacts(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "8.1.3.8", SSP: 41, Users: 25, ActiveCalls: 3, DiskFreeMB: 5000, ClockSkew: 2 * time.Hour})
	f, err := sm.GatherFacts(context.Background(), c, sim.KindSM, sm.DefaultProfile())
	if err != nil {
		t.Fatal(err)
	}
	s := show(t, dir)
	if f.Release != "8.1.3.8" || f.SSP != 41 || f.ServiceState != sm.StateAccepting || f.ActiveCalls != 3 ||
		f.Users != 25 || f.DataDigest != s.DataDigest || f.UDSBackup != "ok" || !f.AllServicesUp() ||
		f.DiskFreeMB["/var"] != 5000 || f.DiskFreeMB["/swlibrary"] != 5000 {
		t.Fatalf("facts: %+v", f)
	}
	if time.Until(f.Clock) < time.Hour {
		t.Fatalf("clock skew not seen: %s", f.Clock)
	}
	for _, l := range c.Commands() {
		if strings.Contains(l, "deny") || strings.Contains(l, "backupSM") {
			t.Fatalf("facts ran a change: %s", l)
		}
	}

	smgrDir, sc := node(t, sim.Options{Kind: sim.KindSMGR, Release: "10.1.3.0", Users: 4})
	f, err = sm.GatherFacts(context.Background(), sc, sim.KindSMGR, sm.DefaultProfile())
	if err != nil || f.Release != "10.1.3.0" || f.UDSBackup != "" || f.Users != 4 {
		t.Fatalf("smgr facts: %+v %v", f, err)
	}
	_ = smgrDir
}

func TestFactsModuleIsReadOnlyUnderDryRun(t *testing.T) {
	_, c := node(t, sim.Options{Release: "10.1.3.0", Users: 2})
	out, err := runMod(t, dryConn{c}, "sm.facts", modules.Task{})
	if err != nil || out.Values["release"] != "10.1.3.0" || out.Values["users"] != "2" {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestPasswordExpiredIsTyped(t *testing.T) {
	_, c := node(t, sim.Options{Release: "10.1.3.0", PasswordExpired: true})
	_, err := sm.GatherFacts(context.Background(), c, sim.KindSM, sm.DefaultProfile())
	if !errors.Is(err, sm.ErrPasswordExpired) {
		t.Fatalf("want ErrPasswordExpired, got %v", err)
	}
	var ae *sm.ActionError
	if _, err := sm.GatherFacts(context.Background(), c, "session_mgr", sm.DefaultProfile()); !errors.As(err, &ae) {
		t.Fatalf("want ErrPasswordExpired, got %v", err)
	}
}

// A full cross-line hop through the modules: backup, upload, drain, upgrade
// (reboot), restore, verify, undrain. Data survives; the node is upgraded once.
func TestCrossLineHop(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "8.1.3.8", SSP: 41, Users: 40, ActiveCalls: 5})
	before := show(t, dir)
	hop := func(name string, args map[string]string) modules.Task {
		return modules.Task{Node: "sm-dal", Kind: sim.KindSM, Phase: name, From: "8.1.3.8", To: "10.2.0.1", Args: args}
	}
	if _, err := runMod(t, c, "sm.precheck", hop("precheck", nil)); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(t.TempDir(), "backups")
	b, err := runMod(t, c, "sm.backup", hop("backup", map[string]string{"store": store}))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(b.Values["archive"])
	if err != nil || fi.Mode().Perm() != 0o600 || filepath.Dir(b.Values["archive"]) != filepath.Join(store, "sm-dal") {
		t.Fatalf("archive %s: %v %v", b.Values["archive"], fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(b.Values["archive"])); di.Mode().Perm() != 0o700 {
		t.Fatalf("store dir mode %v", di.Mode())
	}
	if sum, _ := sim.FileSHA256(b.Values["archive"]); sum != b.Values["archive_sha256"] || !strings.HasPrefix(b.Values["remote_archive"], "/var/opt/backup/") {
		t.Fatalf("backup values %v", b.Values)
	}
	local, sum := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	remote := "/var/tmp/runbook/" + filepath.Base(local)
	if _, err := runMod(t, c, "sm.upload", hop("upload", map[string]string{"artifact": "sm-10-2", "local": local, "remote": remote, "sha256": sum})); err != nil {
		t.Fatal(err)
	}
	d, err := runMod(t, c, "sm.drain", hop("drain", map[string]string{"max_active_calls": "0", "drain_timeout": "30s", "poll": "2ms"}))
	if err != nil || d.Values["active_calls"] != "0" {
		t.Fatalf("drain: %v %v", d, err)
	}
	up := hop("upgrade", map[string]string{"media": remote, "sha256": sum})
	_, err = runMod(t, c, "sm.upgrade", up)
	var re *sm.RebootError
	if !errors.Is(err, sm.ErrRebooting) || !errors.As(err, &re) || !errors.Is(err, sim.ErrConnectionLost) {
		t.Fatalf("upgrade: want a reboot error, got %v", err)
	}
	c = conn(t, dir) // the engine redials
	if _, err := mod("sm.upgrade").(sm.Confirmer).Confirm(context.Background(), c, up); err != nil {
		t.Fatal(err)
	}
	// The archive left on the node is removed, so restore must send the controller copy.
	os.Remove(filepath.Join(dir, "root", b.Values["remote_archive"]))
	r, err := runMod(t, c, "sm.restore", hop("restore", b.Values))
	if err != nil || !strings.Contains(r.Summary, "uploaded") {
		t.Fatalf("restore: %+v %v", r, err)
	}
	v, err := runMod(t, c, "sm.verify", hop("verify", map[string]string{"release": "10.2.0.1", "expect_users": "40", "expect_digest": before.DataDigest, "poll": "5ms"}))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if v.Values["release"] != "10.2.0.1" {
		t.Fatalf("verify values %v", v.Values)
	}
	if _, err := runMod(t, c, "sm.undrain", hop("undrain", nil)); err != nil {
		t.Fatal(err)
	}
	after := show(t, dir)
	if after.DataDigest != before.DataDigest || after.Count("upgrade") != 1 || after.ServiceState != "accepting" || after.DroppedCalls != 0 {
		t.Fatalf("after the hop: %+v", after)
	}
}

func TestVerifyCatchesLostData(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "8.1.3.8", Users: 10})
	before := show(t, dir)
	local, sum := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	if _, err := c.Upload(context.Background(), local, "/var/tmp/runbook/m.bin"); err != nil {
		t.Fatal(err)
	}
	runMod(t, c, "sm.upgrade", modules.Task{To: "10.2.0.1", Args: map[string]string{"media": "/var/tmp/runbook/m.bin", "sha256": sum}})
	c = conn(t, dir)
	_, err := runMod(t, c, "sm.verify", modules.Task{To: "10.2.0.1", Args: map[string]string{"release": "10.2.0.1", "expect_users": "10", "expect_digest": before.DataDigest, "poll": "5ms"}})
	var re *sm.Unmet
	if !errors.As(err, &re) || re.Kind != sm.ObsData {
		t.Fatalf("missing restore not caught: %v", err)
	}
	_, err = runMod(t, c, "sm.verify", modules.Task{Args: map[string]string{"release": "10.2.0.2", "poll": "5ms"}})
	if !errors.As(err, &re) || re.Kind != sm.ObsRelease {
		t.Fatalf("wrong release not caught: %v", err)
	}
}

func TestDrainTimeoutNamesCallsActive(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sm")
	if err := sim.Init(dir, sim.Options{Kind: sim.KindSM, Release: "10.1.3.0", ActiveCalls: 9}); err != nil {
		t.Fatal(err)
	}
	sim.SetFault(dir, "drain", "slow", 1)
	c, _ := sim.NewLocalConn(dir, sim.Env{TimeScale: 1}) // drain takes 10 s
	_, err := runMod(t, c, "sm.drain", modules.Task{Args: map[string]string{"drain_timeout": "30ms", "poll": "5ms"}})
	var re *sm.Unmet
	if !errors.As(err, &re) || re.Kind != sm.ObsActiveCalls {
		t.Fatalf("want calls.active, got %v", err)
	}
}

func TestUploadRefusesWrongChecksumAndSkipsPresent(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "10.1.3.0"})
	local, sum := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	task := modules.Task{Args: map[string]string{"artifact": "a", "local": local, "remote": "/var/tmp/runbook/a.bin", "sha256": strings.Repeat("ab", 32)}}
	_, err := runMod(t, c, "sm.upload", task)
	var re *sm.Unmet
	if !errors.As(err, &re) || re.Kind != sm.ObsChecksum {
		t.Fatalf("want artifact.checksum, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "root/var/tmp/runbook/a.bin")); err == nil {
		t.Fatal("a medium with a wrong checksum was uploaded")
	}
	task.Args["sha256"] = sum
	if _, err := runMod(t, c, "sm.upload", task); err != nil {
		t.Fatal(err)
	}
	out, err := runMod(t, c, "sm.upload", task)
	if err != nil || !strings.Contains(out.Summary, "already") {
		t.Fatalf("second upload: %+v %v", out, err)
	}
}

func TestSSPAndFailures(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "8.1.3.8", SSP: 40})
	local, sum := mediaFile(t, sim.Media{Kind: "ssp", Product: sim.KindSM, Release: "8.1.3.8", SSP: 44})
	c.Upload(context.Background(), local, "/var/tmp/runbook/ssp.bin")
	task := modules.Task{Node: "sm-dal", Kind: sim.KindSM, From: "8.1.3.8", To: "8.1.3.8", Args: map[string]string{"media": "/var/tmp/runbook/ssp.bin", "sha256": sum, "ssp": "44"}}
	if _, err := runMod(t, c, "sm.ssp", task); !errors.Is(err, sm.ErrRebooting) {
		t.Fatalf("ssp: %v", err)
	}
	c = conn(t, dir)
	if out, err := mod("sm.ssp").(sm.Confirmer).Confirm(context.Background(), c, task); err != nil || out.Values["ssp"] != "44" {
		t.Fatalf("confirm: %v %v", out, err)
	}
	sim.SetFault(dir, "backup", "fail", 1)
	_, err := runMod(t, c, "sm.backup", modules.Task{Args: map[string]string{"store": t.TempDir()}})
	var ce *sm.CommandError
	if !errors.As(err, &ce) || ce.Action != "backup" || errors.Is(err, sm.ErrRebooting) {
		t.Fatalf("backup fault: %v", err)
	}
	// A refused install (corrupt checksum) is a command error, not a reboot.
	task.Args["sha256"] = strings.Repeat("0", 64)
	if _, err := runMod(t, c, "sm.upgrade", task); !errors.As(err, &ce) || errors.Is(err, sm.ErrRebooting) {
		t.Fatalf("refused upgrade: %v", err)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	dir, c := node(t, sim.Options{Release: "10.1.3.0", Users: 3, ActiveCalls: 2})
	d := dryConn{c}
	for name, args := range map[string]map[string]string{
		"sm.backup":  {"store": t.TempDir()},
		"sm.drain":   {"drain_timeout": "10ms"},
		"sm.upgrade": {"media": "/var/tmp/runbook/x.bin", "sha256": "ab"},
		"sm.verify":  {"release": "10.2.0.1"},
		"sm.undrain": nil,
	} {
		if out, err := runMod(t, d, name, modules.Task{Args: args}); err != nil || !strings.Contains(out.Summary, "dry-run") {
			t.Errorf("%s under dry-run: %+v %v", name, out, err)
		}
	}
	if s := show(t, dir); len(s.History) != 0 || s.ServiceState != "accepting" {
		t.Fatalf("dry-run changed the node: %+v", s.History)
	}
}

func TestCommandsRenderWithoutConnection(t *testing.T) {
	args := map[string]string{"media": "/var/tmp/runbook/SM 10.2.bin", "sha256": "ab", "store": "backups", "remote_archive": "/var/opt/backup/a.tar.gz", "archive": "backups/sm-dal/a.tar.gz", "archive_sha256": "cd"}
	want := map[string]string{
		"sm.upgrade": "upgradeSM --media '/var/tmp/runbook/SM 10.2.bin' --sha256 ab",
		"sm.ssp":     "installSSP --media '/var/tmp/runbook/SM 10.2.bin' --sha256 ab",
		"sm.restore": "restoreSM --archive /var/opt/backup/a.tar.gz",
		"sm.migrate": "smDataMigration --archive /var/opt/backup/a.tar.gz",
		"sm.drain":   "smcli service-state deny",
		"sm.undrain": "smcli service-state accept",
		"sm.backup":  "backupSM --dir /var/opt/backup",
		"sm.facts":   "bash -lc swversion",
		"sm.verify":  "smcli verify",
	}
	ms := registry.Modules(sm.DefaultProfile())
	for name, line := range want {
		got, err := ms[name].Commands(modules.Task{Node: "sm-dal", Kind: sim.KindSM, Args: args})
		if err != nil || !strings.Contains(strings.Join(got, "\n"), line) {
			t.Errorf("%s: %q %v, want %q", name, got, err, line)
		}
	}
	got, _ := ms["sm.upgrade"].Commands(modules.Task{Kind: sim.KindSMGR, Args: args})
	if !strings.HasPrefix(got[0], "SMGRPatchdeploy ") {
		t.Errorf("smgr upgrade: %q", got)
	}
	for _, name := range []string{"sm.facts", "sm.precheck", "sm.backup", "sm.upload", "sm.drain", "sm.ssp", "sm.upgrade", "sm.migrate", "sm.restore", "sm.verify", "sm.undrain", "shell", "copy", "wait", "pause"} {
		if ms[name] == nil || ms[name].Name() != name {
			t.Errorf("registry lacks %s", name)
		}
	}
}

func TestSMGRUpgradeAcceptsEULAFromProfile(t *testing.T) {
	dir, c := node(t, sim.Options{Kind: sim.KindSMGR, Release: "10.1.3.0", Users: 6})
	local, sum := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSMGR, Release: "10.2.0.1"})
	c.Upload(context.Background(), local, "/swlibrary/smgr.bin")
	task := modules.Task{Kind: sim.KindSMGR, To: "10.2.0.1", Args: map[string]string{"media": "/swlibrary/smgr.bin", "sha256": sum}}
	if _, err := runMod(t, c, "sm.upgrade", task); !errors.Is(err, sm.ErrRebooting) {
		t.Fatalf("smgr upgrade: %v", err)
	}
	if s := show(t, dir); s.Release != "10.2.0.1" {
		t.Fatalf("smgr release %s", s.Release)
	}
}
