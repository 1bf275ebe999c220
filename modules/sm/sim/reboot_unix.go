package sim

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SSHDReboot returns the Env.Reboot hook for a simulator run by sshd's
// ForceCommand: it kills the sshd process serving this session, which drops
// the client's TCP connection as a real reboot would. That process is the
// parent, or the grandparent when the user's shell stands between (sshd runs
// ForceCommand through `$SHELL -c`). Nothing else is ever signalled: run by
// hand or from a test, where no sshd is in that position, it does nothing.
func SSHDReboot() func() {
	return func() {
		os.Stdout.Sync()
		if pid := sshdParent(os.Getppid()); pid > 1 {
			syscall.Kill(pid, syscall.SIGTERM)
		}
	}
}

// sshdParent returns pid when it is an sshd process, its parent when pid is
// a shell whose parent is sshd, else 0.
func sshdParent(pid int) int {
	name := procName(pid)
	switch {
	case strings.HasPrefix(name, "sshd"):
		return pid
	case name == "sh" || name == "bash" || name == "dash":
		if pp := parentOf(pid); strings.HasPrefix(procName(pp), "sshd") {
			return pp
		}
	}
	return 0
}

// procName reads /proc/PID/comm.
func procName(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// parentOf reads the parent pid from /proc/PID/stat.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// ParentContext is cancelled when the process that started this one goes
// away (sshd closed the session) or on SIGTERM/SIGHUP, so a hung command
// under sshd never outlives its session.
func ParentContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	parent := os.Getppid()
	if parent == 1 {
		// Already orphaned: the session ended before this process got here.
		cancel()
		return ctx, cancel
	}
	sig := make(chan os.Signal, 1)
	notify(sig)
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				cancel()
				return
			case <-t.C:
				if os.Getppid() != parent {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}
