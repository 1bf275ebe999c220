package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"github.com/runbook-dev/runbook/modules/sm/sim"
	"golang.org/x/crypto/ssh"
)

const sshdPath = "/usr/sbin/sshd"

// sshdNode starts Debian's sshd on 127.0.0.1 with this test binary as
// ForceCommand (TestMain turns it into smsim) and returns a dial function.
// Without sshd the test skips locally and fails in CI.
func sshdNode(t *testing.T, state string) func() (*ssh.Client, error) {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sshd is required in CI: %v", err)
		}
		t.Skipf("no %s: skipping the OpenSSH test", sshdPath)
	}
	dir := t.TempDir()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	_, userPriv, _ := ed25519.GenerateKey(rand.Reader)
	writeKey(t, filepath.Join(dir, "host_key"), hostPriv)
	userSigner, _ := ssh.NewSignerFromKey(userPriv)
	hostSigner, _ := ssh.NewSignerFromKey(hostPriv)
	os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(userSigner.PublicKey()), 0o600)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	u, _ := user.Current()
	cfg := fmt.Sprintf(`ListenAddress %s
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
UsePAM no
LogLevel ERROR
Subsystem sftp internal-sftp
ForceCommand env SMSIM_TEST_MAIN=1 %s serve --state %s --time-scale 0.01
`, addr, filepath.Join(dir, "host_key"), filepath.Join(dir, "sshd.pid"), filepath.Join(dir, "authorized_keys"), self, state)
	os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(cfg), 0o600)
	var logs bytes.Buffer
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	ccfg := &ssh.ClientConfig{
		User:            u.Username,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(userSigner)},
		HostKeyCallback: ssh.FixedHostKey(hostSigner.PublicKey()),
		Timeout:         5 * time.Second,
	}
	dial := func() (*ssh.Client, error) { return ssh.Dial("tcp", addr, ccfg) }
	for i := 0; ; i++ {
		c, err := dial()
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("sshd did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return dial
}

func writeKey(t *testing.T, path string, k ed25519.PrivateKey) {
	t.Helper()
	b, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

func runSSH(c *ssh.Client, line string) (string, string, error) {
	s, err := c.NewSession()
	if err != nil {
		return "", "", err
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(line)
	return out.String(), errb.String(), err
}

// Under real OpenSSH: simulated commands, real commands, SFTP confined to
// the fake root, and an upgrade that drops the connection (reboot).
func TestUnderOpenSSH(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sm-dal")
	if err := sim.Init(state, sim.Options{Kind: sim.KindSM, Release: "10.1.3.0", Users: 9}); err != nil {
		t.Fatal(err)
	}
	dial := sshdNode(t, state)
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if out, _, err := runSSH(c, "bash -lc swversion"); err != nil || !strings.Contains(out, "Release: 10.1.3.0") {
		t.Fatalf("swversion: %q %v", out, err)
	}
	var ee *ssh.ExitError
	if _, _, err := runSSH(c, "swversion"); !errors.As(err, &ee) || ee.ExitStatus() != 127 {
		t.Fatalf("plain swversion: %v", err)
	}
	if out, _, err := runSSH(c, "echo real | tr a-z A-Z"); err != nil || out != "REAL\n" {
		t.Fatalf("real shell: %q %v", out, err)
	}

	media := filepath.Join(t.TempDir(), "sm.bin")
	sum, _ := sim.WriteMedia(media, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.MkdirAll("/var/tmp/runbook"); err != nil {
		t.Fatal(err)
	}
	f, err := sc.Create("/var/tmp/runbook/sm.bin")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.Open(media)
	io.Copy(f, src)
	src.Close()
	f.Close()
	if _, err := sc.Stat("/../../etc/passwd"); err == nil {
		if _, err := os.Stat(filepath.Join(state, "root/etc/passwd")); err != nil {
			t.Fatal("sftp reached outside the fake root")
		}
	}
	sc.Close()
	if _, err := os.Stat(filepath.Join(state, "root/var/tmp/runbook/sm.bin")); err != nil {
		t.Fatalf("upload not in the fake root: %v", err)
	}
	if out, _, err := runSSH(c, "sha256sum /var/tmp/runbook/sm.bin"); err != nil || !strings.HasPrefix(out, sum) {
		t.Fatalf("sha256sum: %q %v", out, err)
	}

	_, _, err = runSSH(c, "upgradeSM --media /var/tmp/runbook/sm.bin --sha256 "+sum)
	if err == nil || errors.As(err, &ee) {
		t.Fatalf("upgrade: want the connection to drop without an exit status, got %v", err)
	}
	if _, err := c.NewSession(); err == nil {
		t.Fatal("connection still usable after the reboot")
	}
	c2, err := dial()
	if err != nil {
		t.Fatalf("redial after reboot: %v", err)
	}
	defer c2.Close()
	if out, _, err := runSSH(c2, "bash -lc swversion"); err != nil || !strings.Contains(out, "Release: 10.2.0.1") {
		t.Fatalf("after reboot: %q %v", out, err)
	}
	if s, _ := sim.Show(state); s.Count("upgrade") != 1 || s.Reboots != 1 {
		t.Fatalf("history: %+v", s.History)
	}
}
