package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Env is what the host running the simulator provides.
type Env struct {
	// TimeScale multiplies every simulated duration (drain, install, boot).
	// Zero means 1: short durations, a 4-node cluster upgrade in seconds.
	TimeScale float64
	// Reboot drops the client's connection. It is called after the state is
	// saved, when the node reboots (SSP, upgrade, reboot command) and when a
	// disconnect fault fires. Under sshd it kills the session's sshd process;
	// an in-process server closes the channel and the connection; LocalConn
	// marks itself broken. Nil means the connection is not dropped.
	Reboot func()
	// RealShell lets a command line the simulator does not model (a user's
	// shell step) run through this host's /bin/sh. Only a host that is the
	// node may set it: smsim serve behind sshd, where the session already runs
	// as the node's own account. Unset (the lab, LocalConn, smsim exec), such
	// a line never runs: Exec reports it as not executed (ExitNotExecuted and
	// a NotExecutedMessage line on stderr), so nothing a manifest says runs on
	// the controller.
	RealShell bool
}

// Simulated base durations, multiplied by Env.TimeScale.
const (
	drainTime   = 1 * time.Second
	bootTime    = 600 * time.Millisecond
	upgradeTime = 500 * time.Millisecond
	sspTime     = 300 * time.Millisecond
	backupTime  = 200 * time.Millisecond
	restoreTime = 300 * time.Millisecond
	slowFactor  = 10
)

// ExitDropped is the exit code Exec returns when it dropped the connection.
const ExitDropped = 255

// ExitNotExecuted is the exit code of a command line the simulator does not
// model and, without Env.RealShell, does not run. Exec prints
// NotExecutedMessage on stderr with it; IsNotExecuted tells the pair from a
// real command that happened to exit 126.
const ExitNotExecuted = 126

// NotExecutedMessage starts the stderr line of a command that was not run.
const NotExecutedMessage = "smsim: not executed: the simulated node does not model this command line and does not run it on this host: "

// IsNotExecuted reports whether a command's status and stderr say that the
// simulator did not run it.
func IsNotExecuted(code int, stderr []byte) bool {
	return code == ExitNotExecuted && strings.HasPrefix(string(stderr), NotExecutedMessage)
}

// session is one command being run against a node.
type session struct {
	ctx       context.Context
	dir       string
	n         *node
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	env       Env
	line      string
	login     bool
	slow      bool
	dropAtEnd bool
}

// Exec runs one command line against the node in stateDir and returns its
// exit status, as the node's login shell would. It is the single entry of the
// simulator: smsim serve, the lab and LocalConn all call it.
func Exec(ctx context.Context, stateDir, cmdline string, stdin io.Reader, stdout, stderr io.Writer, env Env) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if env.TimeScale <= 0 {
		env.TimeScale = 1
	}
	s := &session{ctx: ctx, dir: stateDir, n: &node{dir: stateDir}, stdin: stdin, stdout: stdout, stderr: stderr, env: env, line: cmdline}
	st, err := Load(stateDir)
	if err != nil {
		fmt.Fprintf(stderr, "smsim: %v\n", err)
		return 1
	}
	if st.PasswordExpired {
		fmt.Fprint(stderr, "WARNING: Your password has expired.\nPassword change required but no TTY available.\n")
		return 1
	}
	return s.run(cmdline)
}

// run interprets one line: a simple command the node knows is simulated, any
// other line goes to realShell.
func (s *session) run(line string) int {
	argv, simple := splitWords(line)
	if !simple || len(argv) == 0 {
		if code, ok := s.sequence(line); ok {
			return code
		}
		return s.realShell(line)
	}
	if h, ok := s.handlers()[argv[0]]; ok {
		return h(argv[1:])
	}
	return s.realShell(line)
}

// handlers maps the node's commands to their simulation.
func (s *session) handlers() map[string]func([]string) int {
	return map[string]func([]string) int{
		"bash": s.shell, "sh": s.shell,
		"swversion": s.swversion, "statapp": s.statapp, "smcli": s.smcli,
		"backupSM": s.backupSM, "restoreSM": s.restoreSM, "smDataMigration": s.migrate,
		"upgradeSM": s.upgradeSM, "installSSP": s.installSSP, "SMGRPatchdeploy": s.patchdeploy,
		"reboot":    s.reboot,
		"sha256sum": s.sha256sum, "mkdir": s.mkdir, "rm": s.rm, "test": s.test,
		"cat": s.cat, "ls": s.ls, "df": s.df, "date": s.date,
		"nc": s.nc,
	}
}

// shell handles `bash -lc CMD`, `sh -c CMD`, `bash -l -c CMD`, `bash --login -c CMD`:
// the inner command is interpreted again, as a login shell when asked.
func (s *session) shell(args []string) int {
	login, cmd, hasCmd := false, "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--login":
			login = true
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 1:
			if strings.Contains(a, "l") {
				login = true
			}
			if strings.Contains(a, "c") && i+1 < len(args) {
				cmd, hasCmd = args[i+1], true
				i = len(args)
			}
		default:
			return s.realShell(s.line)
		}
	}
	if !hasCmd {
		return s.realShell(s.line)
	}
	s.login = s.login || login
	return s.run(cmd)
}

// realShell runs a command the simulator does not model, for real, when the
// host is the node (Env.RealShell); otherwise it refuses to run it.
func (s *session) realShell(line string) int {
	if !s.env.RealShell {
		fmt.Fprintf(s.stderr, "%s%s\n", NotExecutedMessage, line)
		return ExitNotExecuted
	}
	cmd := exec.CommandContext(s.ctx, "/bin/sh", "-c", line)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.stdin, s.stdout, s.stderr
	// A client that never closes its stdin must not keep a finished command
	// waiting on the copy of it.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	default:
		fmt.Fprintf(s.stderr, "sh: %v\n", err)
		return 126
	}
}

// sleep waits a simulated duration; it returns false when cancelled.
func (s *session) sleep(d time.Duration) bool {
	d = time.Duration(float64(d) * s.env.TimeScale)
	if s.slow {
		d *= slowFactor
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// scaled returns d multiplied by the time scale (and the slow fault).
func (s *session) scaled(d time.Duration) time.Duration {
	d = time.Duration(float64(d) * s.env.TimeScale)
	if s.slow {
		d *= slowFactor
	}
	return d
}

// drop ends the client's connection through the host's hook.
func (s *session) drop() int {
	if f, ok := s.stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	if s.env.Reboot != nil {
		s.env.Reboot()
	}
	return ExitDropped
}

// update is Update on this session's node.
func (s *session) update(fn func(*State) error) error { return Update(s.dir, fn) }

// fail prints an error line and returns status 1.
func (s *session) fail(format string, a ...any) int {
	fmt.Fprintf(s.stderr, "ERROR: "+format+"\n", a...)
	return 1
}

// now is the node's wall clock.
func now() time.Time { return time.Now().UTC() }
