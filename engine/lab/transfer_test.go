package lab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// upload copies data to remote over SFTP.
func upload(t *testing.T, c *ssh.Client, remote string, data []byte) {
	t.Helper()
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatalf("sftp: %v", err)
	}
	defer sc.Close()
	f, err := sc.Create(remote)
	if err != nil {
		t.Fatalf("create %s: %v", remote, err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSFTPIsConfinedToTheNodeRoot(t *testing.T) {
	l := startLab(t, testConfig(""))
	c := dial(t, l, "sm-dal")
	data := []byte("media bytes\n")
	upload(t, c, "/var/tmp/runbook/x.bin", data)
	// The file lands in the node's fake root, where the simulated commands see it.
	local := filepath.Join(l.StateDir("sm-dal"), "root", "var", "tmp", "runbook", "x.bin")
	if b, err := os.ReadFile(local); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("uploaded file at %s: %q, %v", local, b, err)
	}
	sum := sha256.Sum256(data)
	out, _, code, err := run(t, c, "sha256sum /var/tmp/runbook/x.bin")
	if err != nil || code != 0 || !strings.HasPrefix(out, hex.EncodeToString(sum[:])) {
		t.Errorf("sha256sum = %q, code %d, %v", out, code, err)
	}
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	f, err := sc.Open("/opt/Avaya/install.properties")
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if !strings.Contains(string(b), "Release=8.1.3.8") {
		t.Errorf("install.properties = %q", b)
	}
	// ".." does not climb out of the root: the node's state file is out of reach.
	if f, err := sc.Open("/../../state.json"); err == nil {
		f.Close()
		t.Error("sftp reached the state directory through ..")
	}
	if _, err := os.Stat(filepath.Join(l.StateDir("sm-chi"), "root", "var", "tmp", "runbook", "x.bin")); err == nil {
		t.Error("an upload to sm-dal reached sm-chi")
	}
}

func TestUpgradeRebootDropsConnectionAndReconnectWorks(t *testing.T) {
	l := startLab(t, testConfig(""))
	media := filepath.Join(t.TempDir(), "sm.bin")
	sum, err := sim.WriteMedia(media, sim.Media{Kind: "release", Product: sim.KindSM, Release: "8.1.3.9"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(media)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, l, "sm-dal")
	upload(t, c, "/var/tmp/runbook/sm.bin", data)
	out, _, code, err := run(t, c, "upgradeSM --media /var/tmp/runbook/sm.bin --sha256 "+sum)
	if err == nil {
		t.Fatalf("upgrade ended with status %d and the connection up; output %q", code, out)
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("a reboot must drop the connection, not exit: %v", err)
	}
	if !strings.Contains(out, "going down for reboot") {
		t.Errorf("output before the drop was lost: %q", out)
	}
	// The whole connection is gone, not only the session.
	c.Wait()
	if _, err := c.NewSession(); err == nil {
		t.Fatal("the connection survived the reboot")
	}
	c2 := dial(t, l, "sm-dal")
	out, _, code, err = run(t, c2, "bash -lc swversion")
	if err != nil || code != 0 || !strings.Contains(out, "Release: 8.1.3.9") {
		t.Fatalf("after reconnect: %q, code %d, %v", out, code, err)
	}
}

func TestKillSignalStopsAHang(t *testing.T) {
	l := startLab(t, testConfig(""))
	c := dial(t, l, "sm-chi")
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start("backupSM"); err != nil {
		t.Fatal(err)
	}
	// Wait until the node consumed the hang fault: the command now hangs.
	if err := waitFaultTaken(l, "sm-chi", "backup"); err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(ssh.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = s.Wait()
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Signal() != "KILL" {
		t.Fatalf("Wait after KILL = %v, want exit by signal KILL", err)
	}
	// The node is still there for the next command.
	if _, _, code, err := run(t, c, "bash -lc swversion"); err != nil || code != 0 {
		t.Fatalf("after KILL: code %d, %v", code, err)
	}
}

func TestCloseEndsRunningSessions(t *testing.T) {
	l, err := Start(t.Context(), testConfig(""), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := l.Dir()
	ccfg := clientConfig(t, l, l.KnownHostsFile())
	c := dial(t, l, "sm-chi")
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("backupSM"); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // would wait forever on the hang if not cancelled
		t.Fatal(err)
	}
	if err := s.Wait(); err == nil {
		t.Error("the hung command ended with success after Close")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary lab directory %s left behind: %v", dir, err)
	}
	if _, err := ssh.Dial("tcp", l.Addr("sm-dal"), ccfg); err == nil {
		t.Error("a closed lab still accepts connections")
	}
}
