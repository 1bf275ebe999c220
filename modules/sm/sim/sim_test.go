package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSwversionOnlyInLoginShell(t *testing.T) {
	dir := newNode(t, Options{Release: "8.1.3.8", SSP: 41})
	r := execLine(t, dir, "swversion", "")
	if r.code != 127 || !strings.Contains(r.stderr, "command not found") {
		t.Fatalf("plain exec: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, line := range []string{"bash -lc swversion", "sh -lc swversion", "bash -l -c 'swversion'", "bash --login -c swversion"} {
		r := mustOK(t, dir, line)
		if !strings.Contains(r.stdout, "Release: 8.1.3.8\n") || !strings.Contains(r.stdout, "Security Service Pack: 41") {
			t.Errorf("%s: %q", line, r.stdout)
		}
	}
	if r := execLine(t, dir, "bash -c swversion", ""); r.code != 127 {
		t.Errorf("non-login bash -c found swversion: %d", r.code)
	}
	smgr := newNode(t, Options{Kind: KindSMGR, Release: "10.1.3.0"})
	if r := mustOK(t, smgr, "bash -lc swversion"); !strings.Contains(r.stdout, "Software Update Revision: 10.1.3.0") || strings.Contains(r.stdout, "\nRelease:") {
		t.Errorf("smgr swversion: %q", r.stdout)
	}
	if r := mustOK(t, dir, "cat /opt/Avaya/install.properties"); !strings.Contains(r.stdout, "Release=8.1.3.8\n") {
		t.Errorf("release file: %q", r.stdout)
	}
}

func TestCallsDrainOnlyAfterDeny(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0", ActiveCalls: 12})
	time.Sleep(20 * time.Millisecond)
	if r := mustOK(t, dir, "smcli active-calls"); r.stdout != "Active Calls: 12\n" {
		t.Fatalf("accepting: calls ended: %q", r.stdout)
	}
	if r := mustOK(t, dir, "smcli service-state deny"); r.stdout != "Service State: Deny New Service\n" {
		t.Fatalf("deny: %q", r.stdout)
	}
	if s := show(t, dir); s.ServiceState != "denying" || s.ActiveCalls == 0 {
		t.Fatalf("right after deny: %s, %d calls", s.ServiceState, s.ActiveCalls)
	}
	deadline := time.Now().Add(10 * time.Second)
	for show(t, dir).ActiveCalls > 0 {
		if time.Now().After(deadline) {
			t.Fatal("calls never drained")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if r := mustOK(t, dir, "smcli active-calls"); r.stdout != "Active Calls: 0\n" {
		t.Fatalf("after drain: %q", r.stdout)
	}
	mustOK(t, dir, "smcli service-state accept")
	if s := show(t, dir); s.ServiceState != "accepting" || s.Count("deny") != 1 || s.Count("accept") != 1 {
		t.Fatalf("accept: %+v", s)
	}
}

func TestBackupCrossLineUpgradeRestoreKeepsDigest(t *testing.T) {
	dir := newNode(t, Options{Release: "8.1.3.8", SSP: 41, Users: 50})
	before := show(t, dir)
	if before.Users != 50 || before.DataDigest == "" {
		t.Fatalf("init: %+v", before)
	}
	r := mustOK(t, dir, "backupSM --dir /var/opt/backup")
	archive := between(r.stdout, "Backup archive: ", "\n")
	if !strings.HasPrefix(archive, "/var/opt/backup/") {
		t.Fatalf("backup output: %q", r.stdout)
	}
	path, sum := media(t, dir, Media{Kind: "release", Product: KindSM, Release: "10.2.0.1"})
	r = execLine(t, dir, "upgradeSM --media "+path+" --sha256 "+sum, "")
	if r.code != ExitDropped || !r.dropped {
		t.Fatalf("upgrade did not reboot: exit %d dropped %v\n%s%s", r.code, r.dropped, r.stdout, r.stderr)
	}
	mid := show(t, dir)
	if mid.Release != "10.2.0.1" || mid.Users != 0 || mid.DataDigest == before.DataDigest || mid.Reboots != 1 {
		t.Fatalf("after cross-line upgrade: %+v", mid)
	}
	mustOK(t, dir, "restoreSM --archive "+archive)
	after := show(t, dir)
	if after.DataDigest != before.DataDigest || after.Users != 50 {
		t.Fatalf("restore lost data: digest %s users %d", after.DataDigest, after.Users)
	}
	if after.Count("upgrade") != 1 || after.Count("restore") != 1 || after.Count("backup") != 1 {
		t.Fatalf("history: %+v", after.History)
	}
}

func TestPatchUpgradeKeepsDataAndSSPReboots(t *testing.T) {
	dir := newNode(t, Options{Release: "8.1.3.0", Users: 5})
	before := show(t, dir)
	path, sum := media(t, dir, Media{Kind: "release", Product: KindSM, Release: "8.1.3.8"})
	if r := execLine(t, dir, "upgradeSM --media "+path+" --sha256 "+sum, ""); !r.dropped {
		t.Fatalf("patch: %d %s", r.code, r.stderr)
	}
	if s := show(t, dir); s.Release != "8.1.3.8" || s.DataDigest != before.DataDigest || s.SSP != 0 {
		t.Fatalf("patch: %+v", s)
	}
	sp, ssum := media(t, dir, Media{Kind: "ssp", Product: KindSM, Release: "8.1.3.8", SSP: 44})
	if r := execLine(t, dir, "installSSP --media "+sp+" --sha256 "+ssum, ""); !r.dropped {
		t.Fatalf("ssp: %d %s", r.code, r.stderr)
	}
	s := show(t, dir)
	if s.SSP != 44 || s.Reboots != 2 {
		t.Fatalf("ssp: %+v", s)
	}
	// Re-running is a no-op: no second install, no reboot.
	if r := execLine(t, dir, "installSSP --media "+sp, ""); r.code != 0 || r.dropped {
		t.Fatalf("ssp re-run: %d %v", r.code, r.dropped)
	}
	if show(t, dir).Count("ssp") != 1 {
		t.Fatal("ssp installed twice")
	}
}

func TestInstallerRefusals(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	path, sum := media(t, dir, Media{Kind: "release", Product: KindSM, Release: "10.2.0.1"})
	n := &node{dir: dir}
	b, _ := os.ReadFile(n.path(path))
	b[len(b)-10] ^= 0xff
	os.WriteFile(n.path("/var/tmp/runbook/bad.bin"), b, 0o644)
	cases := map[string]string{
		"upgradeSM --media /var/tmp/runbook/bad.bin":                         "corrupt",
		"upgradeSM --media " + path + " --sha256 " + strings.Repeat("0", 64): "checksum mismatch",
		"upgradeSM --media /var/tmp/runbook/missing.bin":                     "not found",
	}
	smgrMedia, _ := media(t, dir, Media{Kind: "release", Product: KindSMGR, Release: "10.2.0.2"})
	cases["upgradeSM --media "+smgrMedia] = "is for system_manager"
	old, _ := media(t, dir, Media{Kind: "release", Product: KindSM, Release: "8.1.3.8"})
	cases["upgradeSM --media "+old] = "downgrade refused"
	for line, want := range cases {
		r := execLine(t, dir, line, "")
		if r.code == 0 || r.dropped || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", line, r.code, r.stderr, want)
		}
	}
	if s := show(t, dir); s.Release != "10.1.3.0" || s.Count("upgrade") != 0 {
		t.Fatalf("a refused install changed the node: %+v", s)
	}
	_ = sum
}

func TestLowDiskRefusedNamingMounts(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0", DiskFreeMB: 100})
	path, sum := media(t, dir, Media{Kind: "release", Product: KindSM, Release: "10.2.0.1"})
	r := execLine(t, dir, "upgradeSM --media "+path+" --sha256 "+sum, "")
	if r.code == 0 || r.dropped {
		t.Fatalf("low disk accepted: %d", r.code)
	}
	for _, want := range []string{"/var", "/opt", "/var/log/Avaya/upgradeSM.log"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("refusal does not name %s: %q", want, r.stderr)
		}
	}
	if r := mustOK(t, dir, "cat /var/log/Avaya/upgradeSM.log"); !strings.Contains(r.stdout, "/opt") {
		t.Errorf("log file: %q", r.stdout)
	}
}

func TestRestoreRefusesCorruptAndForeignArchives(t *testing.T) {
	dir := newNode(t, Options{Release: "10.2.0.1", Users: 3})
	smgr := newNode(t, Options{Kind: KindSMGR, Release: "10.2.0.1", Users: 3})
	r := mustOK(t, smgr, "backupSM")
	archive := between(r.stdout, "Backup archive: ", "\n")
	ns, nd := &node{dir: smgr}, &node{dir: dir}
	b, _ := os.ReadFile(ns.path(archive))
	os.WriteFile(nd.path("/var/opt/backup/smgr.tar.gz"), b, 0o600)
	os.WriteFile(nd.path("/var/opt/backup/junk.tar.gz"), []byte("not a tarball"), 0o600)
	for line, want := range map[string]string{
		"restoreSM --archive /var/opt/backup/smgr.tar.gz": "system_manager backup",
		"restoreSM --archive /var/opt/backup/junk.tar.gz": "corrupt",
	} {
		r := execLine(t, dir, line, "")
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d stderr %q", line, r.code, r.stderr)
		}
	}
}

func TestFaults(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0", Users: 2})
	if err := SetFault(dir, "backup", "fail", 1); err != nil {
		t.Fatal(err)
	}
	if r := execLine(t, dir, "backupSM", ""); r.code == 0 || !strings.Contains(r.stderr, "simulated fault") {
		t.Fatalf("fail fault: %d %q", r.code, r.stderr)
	}
	mustOK(t, dir, "backupSM") // one-shot
	if err := SetFault(dir, "drain", "disconnect", 1); err != nil {
		t.Fatal(err)
	}
	if r := execLine(t, dir, "smcli service-state deny", ""); !r.dropped {
		t.Fatal("disconnect fault did not drop")
	}
	if show(t, dir).ServiceState != "denying" {
		t.Fatal("disconnect fault lost the work")
	}
	if err := SetFault(dir, "nope", "fail", 1); err == nil {
		t.Fatal("unknown phase accepted")
	}
	if err := SetFault(dir, "verify", "explode", 1); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

// Where the host is the node (smsim serve behind sshd sets RealShell), a
// command line the simulator does not model runs for real.
func TestUnknownCommandsRunForRealWhereTheHostIsTheNode(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	env := fast
	env.RealShell = true
	if r := execEnv(t, dir, "echo hello | tr a-z A-Z", env); r.code != 0 || r.stdout != "HELLO\n" {
		t.Fatalf("real shell: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := execEnv(t, dir, "exit 7", env); r.code != 7 {
		t.Fatalf("exit status: %d", r.code)
	}
}

// Anywhere else (the lab, LocalConn, smsim exec: the host is the
// controller) such a line never runs: not through a pipe, not through
// bash -c or sh -c, not through an option the simulated test does not know.
// It is reported as not executed, and the controller's file is untouched.
func TestUnknownCommandsNeverRunOnTheController(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	notes := t.TempDir()
	marker := filepath.Join(notes, "marker")
	if err := os.WriteFile(marker, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	created := filepath.Join(notes, "created")
	for _, line := range []string{
		"rm -f " + notes + "/*",
		"rm -f " + marker + " && true",
		"bash -lc 'rm -f " + marker + "; true'",
		"sh -c 'touch " + created + "'",
		"bash --norc -c 'rm -f " + marker + "'",
		"test -O " + marker,
		"touch " + created,
		"echo x > " + created,
	} {
		r := execLine(t, dir, line, "")
		if r.code != ExitNotExecuted || !IsNotExecuted(r.code, []byte(r.stderr)) {
			t.Errorf("%s: exit %d, stderr %q; want not executed", line, r.code, r.stderr)
		}
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "keep" {
		t.Errorf("the controller's file changed: %q %v", b, err)
	}
	if _, err := os.Stat(created); !os.IsNotExist(err) {
		t.Errorf("a file was created on the controller: %v", err)
	}
	// rm is simulated: it removes the node's file of that name, inside the
	// fake root, not the controller's.
	mustOK(t, dir, "rm -f "+marker)
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("simulated rm reached the controller: %v", err)
	}
}

func TestPasswordExpired(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0", PasswordExpired: true})
	if r := execLine(t, dir, "bash -lc swversion", ""); r.code == 0 || !strings.Contains(r.stderr, "password has expired") {
		t.Fatalf("%d %q", r.code, r.stderr)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}
