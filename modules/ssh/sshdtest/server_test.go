package sshdtest

import (
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func dial(t *testing.T, s *Server) *ssh.Client {
	t.Helper()
	cb, err := knownhosts.New(s.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User: s.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(s.ClientSigner)},
		HostKeyCallback: cb,
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func output(t *testing.T, c *ssh.Client, cmd string) string {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.CombinedOutput(cmd)
	if err != nil {
		t.Fatalf("%s: %v: %s", cmd, err, out)
	}
	return string(out)
}

func TestStartServesCommandsWithCleanHome(t *testing.T) {
	s := Start(t, Options{Env: map[string]string{"RUNBOOK_TEST": "a b"}})
	c := dial(t, s)
	got := output(t, c, `printf '%s|%s' "$HOME" "$RUNBOOK_TEST"`)
	if want := s.Home + "|a b"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	output(t, c, "true")
	if n := s.Accepted(); n != 1 {
		t.Fatalf("Accepted() = %d after one connection, want 1\n%s", n, s.Log())
	}
	dial(t, s)
	if n := s.Accepted(); n != 2 {
		t.Fatalf("Accepted() = %d after two connections, want 2", n)
	}
}

func TestUnknownClientKeyRefused(t *testing.T) {
	s := Start(t, Options{})
	_, other := NewKey(t)
	cb, _ := knownhosts.New(s.KnownHostsFile)
	_, err := ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User: s.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(other)}, HostKeyCallback: cb,
	})
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("dial with an untrusted key: err = %v, want an authentication failure", err)
	}
}

// The contract the simulator relies on: under ForceCommand an exec request
// arrives as SSH_ORIGINAL_COMMAND, and an sftp subsystem request arrives as the
// Subsystem command.
func TestForceCommandSeesOriginalCommandAndSubsystem(t *testing.T) {
	s := Start(t, Options{ForceCommand: `printf 'forced:%s' "$SSH_ORIGINAL_COMMAND"`})
	c := dial(t, s)
	if got := output(t, c, "echo 'hi there'"); got != "forced:echo 'hi there'" {
		t.Fatalf("exec under ForceCommand printed %q", got)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	// Like an SFTP client, read the subsystem's stdout through a pipe.
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestSubsystem("sftp"); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(stdout)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "forced:"+s.SubsystemCommand; got != want {
		t.Fatalf("subsystem under ForceCommand printed %q, want %q", got, want)
	}
}

func TestStopEndsDaemonAndSessions(t *testing.T) {
	s := Start(t, Options{})
	c := dial(t, s)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("sleep 300"); err != nil {
		t.Fatal(err)
	}
	pid := s.cmd.Process.Pid
	if len(descendants(pid)) == 0 {
		t.Fatal("no connection handler found below the daemon")
	}
	s.Stop()
	if err := sess.Wait(); err == nil {
		t.Fatal("session survived Stop")
	}
	if kids := descendants(pid); len(kids) != 0 {
		t.Fatalf("processes left after Stop: %v", kids)
	}
}

func TestStopEndsOrphanedCommands(t *testing.T) {
	s := Start(t, Options{})
	c := dial(t, s)
	pidFile := s.Home + "/pid"
	// setsid + background: the command leaves sshd's process tree at once.
	output(t, c, "setsid sh -c 'echo $$ > "+pidFile+"; exec sleep 300' >/dev/null 2>&1 < /dev/null & while [ ! -s "+pidFile+" ]; do sleep 0.05; done")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	c.Close()
	s.Stop()
	for i := 0; i < 200; i++ {
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("orphaned command %d survived Stop", pid)
}
