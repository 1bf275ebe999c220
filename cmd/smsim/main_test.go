package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// TestMain lets the test binary stand in for smsim under sshd
// (ForceCommand env SMSIM_TEST_MAIN=1 <test binary> serve …).
func TestMain(m *testing.M) {
	if os.Getenv("SMSIM_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

type result struct {
	code     int
	out, err string
}

func smsim(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

func TestInitShowFault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sm-chi")
	r := smsim(t, nil, "init", "--state", dir, "--kind", "session_manager", "--release", "8.1.3.8", "--ssp", "41",
		"--users", "7", "--active-calls", "3", "--disk-free-mb", "900", "--clock-skew", "5m", "--uds-backup", "failed")
	if r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := smsim(t, nil, "fault", "--state", dir, "--phase", "upgrade", "--kind", "disconnect"); r.code != 0 {
		t.Fatalf("fault: %+v", r)
	}
	r = smsim(t, nil, "show", "--state", dir)
	var s sim.Snapshot
	if err := json.Unmarshal([]byte(r.out), &s); err != nil || r.code != 0 {
		t.Fatalf("show: %v %+v", err, r)
	}
	if s.Node != "sm-chi" || s.Release != "8.1.3.8" || s.SSP != 41 || s.Users != 7 || s.ActiveCalls != 3 ||
		s.DiskFreeMB["/opt"] != 900 || s.ClockSkew != "5m0s" || s.UDSBackup != "failed" || s.Faults["upgrade"].Kind != "disconnect" ||
		s.DataDigest == "" || len(s.Services) == 0 || s.ServiceState != "accepting" {
		t.Fatalf("snapshot: %+v", s)
	}
	for _, key := range []string{`"release"`, `"ssp"`, `"service_state"`, `"active_calls"`, `"users"`, `"data_digest"`, `"services"`, `"backups"`, `"history"`} {
		if !strings.Contains(r.out, key) {
			t.Errorf("show lacks %s", key)
		}
	}
	if r := smsim(t, nil, "fault", "--state", dir, "--clear"); r.code != 0 {
		t.Fatal(r)
	}
	if s, _ := sim.Show(dir); len(s.Faults) != 0 {
		t.Fatalf("faults not cleared: %v", s.Faults)
	}
}

// --blocked-ports is what `nc -z` (the firewall.ports check) then reports
// unreachable; other ports stay reachable.
func TestInitBlockedPorts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sm-chi")
	if r := smsim(t, nil, "init", "--state", dir, "--kind", "session_manager", "--release", "10.1.3.0", "--blocked-ports", "5061, 443"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	for port, code := range map[string]int{"443": 1, "5061": 1, "61617": 0} {
		if r := smsim(t, nil, "exec", "--state", dir, "nc", "-z", "-w", "5", "smgr.example.net", port); r.code != code {
			t.Errorf("nc %s: exit %d, want %d (%s)", port, r.code, code, r.err)
		}
	}
	if s, _ := sim.Show(dir); len(s.BlockedPorts) != 2 || s.BlockedPorts[0] != 5061 {
		t.Errorf("blocked ports %v", s.BlockedPorts)
	}
}

func TestMedia(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m", "ssp.bin")
	r := smsim(t, nil, "media", "--kind", "ssp", "--release", "8.1.3.8", "--ssp", "45", "--out", out)
	if r.code != 0 {
		t.Fatalf("media: %+v", r)
	}
	sum, _ := sim.FileSHA256(out)
	if !strings.HasPrefix(r.out, sum+"  ") {
		t.Fatalf("printed %q, file sha256 %s", r.out, sum)
	}
	m, err := sim.ReadMedia(out)
	if err != nil || m.SSP != 45 || m.Product != sim.KindSM || m.Release != "8.1.3.8" {
		t.Fatalf("%+v %v", m, err)
	}
	// Without --ssp the medium carries the catalog's latest SSP for the release.
	r = smsim(t, nil, "media", "--kind", "ssp", "--release", "8.1.3.8", "--out", out)
	if m, err := sim.ReadMedia(out); r.code != 0 || err != nil || m.SSP < 1 {
		t.Fatalf("catalog SSP: %+v %+v %v", r, m, err)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	cases := [][]string{
		{},
		{"frobnicate"},
		{"init", "--state", dir, "--kind", "session_manager"},
		{"init", "--state", dir, "--kind", "pbx", "--release", "1.2.3.4"},
		{"init", "--state", dir, "--kind", "session_manager", "--release", "ten"},
		{"init", "--state", dir, "--kind", "session_manager", "--release", "10.1.3.0", "--clock-skew", "soon"},
		{"init", "--bogus"},
		{"init", "--state", dir, "--kind", "session_manager", "--release", "10.1.3.0", "--blocked-ports", "443,http"},
		{"init", "--state", dir, "--kind", "session_manager", "--release", "10.1.3.0", "--blocked-ports", "70000"},
		{"show"},
		{"fault", "--state", dir, "--phase", "lunch", "--kind", "fail"},
		{"media", "--kind", "iso", "--release", "10.2.0.1", "--out", filepath.Join(dir, "x")},
		{"media", "--kind", "ssp", "--release", "99.9.9.9", "--out", filepath.Join(dir, "x")},
		{"serve", "--state", dir, "--time-scale", "0"},
		{"show", "--state", dir, "extra"},
	}
	for _, args := range cases {
		r := smsim(t, nil, args...)
		if r.code != 2 || r.err == "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.err)
		}
	}
	if r := smsim(t, nil, "show", "--state", dir); r.code != 1 || !strings.Contains(r.err, "smsim init") {
		t.Errorf("show without a node: %+v", r)
	}
}

func TestServeRunsOriginalCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "smgr")
	if r := smsim(t, nil, "init", "--state", dir, "--kind", "system_manager", "--release", "10.1.3.0"); r.code != 0 {
		t.Fatal(r)
	}
	r := smsim(t, map[string]string{"SSH_ORIGINAL_COMMAND": "bash -lc swversion"}, "serve", "--state", dir)
	if r.code != 0 || !strings.Contains(r.out, "Software Update Revision: 10.1.3.0") {
		t.Fatalf("serve: %+v", r)
	}
	r = smsim(t, map[string]string{"SSH_ORIGINAL_COMMAND": "swversion"}, "serve", "--state", dir)
	if r.code != 127 {
		t.Fatalf("plain swversion: %+v", r)
	}
	if r := smsim(t, nil, "serve", "--state", dir); r.code != 1 {
		t.Fatalf("interactive login: %+v", r)
	}
	for _, c := range []string{"sftp", "internal-sftp", "/usr/lib/openssh/sftp-server"} {
		if !isSFTP(c) {
			t.Errorf("%s not seen as sftp", c)
		}
	}
	if isSFTP("sha256sum /x") {
		t.Error("command seen as sftp")
	}
}

// Only serve, the ForceCommand of a node's sshd, runs a command line the
// simulator does not model: there the host is the node. exec runs on the
// controller and reports such a line as not executed.
func TestOnlyServeRunsUnmodelledCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sm-dal")
	if r := smsim(t, nil, "init", "--state", dir, "--kind", "session_manager", "--release", "10.1.3.0"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	out := t.TempDir()
	served, execd := filepath.Join(out, "served"), filepath.Join(out, "execd")
	// serve runs as its own process, as under sshd (it watches its parent
	// and signals).
	cmd := exec.Command(os.Args[0], "serve", "--state", dir)
	cmd.Env = append(os.Environ(), "SMSIM_TEST_MAIN=1", "SSH_ORIGINAL_COMMAND=touch "+served)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("serve: %v\n%s", err, b)
	}
	if _, err := os.Stat(served); err != nil {
		t.Errorf("serve did not run the command on its host: %v", err)
	}
	r := smsim(t, nil, "exec", "--state", dir, "--", "touch", execd)
	if r.code != sim.ExitNotExecuted || !strings.Contains(r.err, "not executed") {
		t.Errorf("exec of an unmodelled command: %+v", r)
	}
	if _, err := os.Stat(execd); !os.IsNotExist(err) {
		t.Errorf("exec ran the command on the controller: %v", err)
	}
}
