package sshdtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startupLimit bounds how long Start waits for the daemon to listen. It is a
// guard against a hung daemon, not a timing assertion.
const startupLimit = 20 * time.Second

// launch starts the daemon on a free port. Finding a free port and binding it
// are two steps, so a port taken in between is retried with another one.
func (s *Server) launch(t testing.TB, bin string, opts Options) {
	t.Helper()
	var last string
	for attempt := 0; attempt < 5; attempt++ {
		port := freePort(t)
		cfg := filepath.Join(s.Dir, "sshd_config")
		if err := os.WriteFile(cfg, []byte(s.config(port, opts)), 0o600); err != nil {
			t.Fatalf("sshdtest: write config: %v", err)
		}
		s.log = &logBuffer{ready: make(chan struct{})}
		s.exited = make(chan struct{})
		s.cmd = exec.Command(bin, "-D", "-e", "-f", cfg)
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		// Session processes inherit stderr; do not wait on them forever.
		s.cmd.WaitDelay = 2 * time.Second
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("sshdtest: start %s: %v", bin, err)
		}
		go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(s.cmd, s.exited)
		select {
		case <-s.log.ready:
			s.Port = port
			s.Addr = net.JoinHostPort(s.Host, itoa(port))
			return
		case <-s.exited:
			last = s.log.String()
			if !strings.Contains(last, "Address already in use") {
				t.Fatalf("sshdtest: sshd exited at start:\n%s", last)
			}
		case <-time.After(startupLimit):
			s.Stop()
			t.Fatalf("sshdtest: sshd did not listen within %v:\n%s", startupLimit, s.log.String())
		}
	}
	t.Fatalf("sshdtest: no free port for sshd:\n%s", last)
}

// config renders sshd_config. Only the generated keys authenticate; HOME is a
// clean folder so login files of the machine never run.
func (s *Server) config(port int, opts Options) string {
	env := map[string]string{"HOME": s.Home, markerVar: s.Dir}
	for k, v := range opts.Env {
		env[k] = v
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	setenv := make([]string, 0, len(names))
	for _, k := range names {
		setenv = append(setenv, fmt.Sprintf("%q", k+"="+env[k]))
	}
	fwd := "no"
	if opts.AllowTCPForwarding {
		fwd = "yes"
	}
	// sshd keeps the first value of a keyword, so the caller's lines go first
	// and override the defaults below.
	lines := append([]string{}, opts.Config...)
	lines = append(lines, []string{
		"ListenAddress 127.0.0.1:" + itoa(port),
		"HostKey " + filepath.Join(s.Dir, "ssh_host_ed25519_key"),
		"AuthorizedKeysFile " + filepath.Join(s.Dir, "authorized_keys"),
		"PidFile none",
		"StrictModes no",
		"UsePAM no",
		"UseDNS no",
		"PermitRootLogin yes",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitUserEnvironment no",
		"PrintMotd no",
		"PrintLastLog no",
		"MaxSessions 32",
		"MaxStartups 64",
		"LogLevel INFO",
		"AllowTcpForwarding " + fwd,
		"Subsystem sftp " + s.SubsystemCommand,
		"SetEnv " + strings.Join(setenv, " "),
	}...)
	if opts.ForceCommand != "" {
		lines = append(lines, "ForceCommand "+opts.ForceCommand)
	}
	return strings.Join(lines, "\n") + "\n"
}

// Stop ends the daemon and every process it started (connection handlers and
// their commands), so nothing a test started outlives it. Stop is idempotent.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		kids := descendants(s.cmd.Process.Pid)
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		for _, pid := range kids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		// Commands whose connection already ended were reparented away from
		// the daemon; the session marker still finds them.
		for _, pid := range marked(markerVar + "=" + s.Dir) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// markerVar is set in every session (SetEnv) to the server's folder, so Stop
// can find the processes a test's sessions left behind.
const markerVar = "RUNBOOK_SSHDTEST"

// marked lists processes whose initial environment holds entry.
func marked(entry string) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if string(kv) == entry {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// descendants lists the processes below pid, read from /proc.
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int][]int{}
	for _, e := range entries {
		var p int
		if _, err := fmt.Sscanf(e.Name(), "%d", &p); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name may hold spaces; fields after ")" are fixed.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		if _, err := fmt.Sscanf(string(b[i+1:]), " %s %d", &state, &ppid); err == nil {
			parent[ppid] = append(parent[ppid], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range parent[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sshdtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// logBuffer collects the daemon's stderr and signals when it listens.
type logBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	ready     chan struct{}
	readyOnce sync.Once
	listening bool
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.listening && bytes.Contains(l.buf.Bytes(), []byte("Server listening on ")) {
		l.listening = true
		l.readyOnce.Do(func() { close(l.ready) })
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) count(prefix string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}
