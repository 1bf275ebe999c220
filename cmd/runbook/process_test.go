package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestTerminalProgress runs the binary under a pseudo-terminal: the live
// board (node lines redrawn in place) appears and the run ends with the
// summary.
func TestTerminalProgress(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	cmd := exec.Command(binPath, "apply", "--lab", "--auto-approve", "--records", filepath.Join(base, "records"),
		"--lab-dir", filepath.Join(base, "lab"), manifest)
	cmd.Dir = base
	cmd.Env = append(testEnv(), "TERM=xterm", "NO_COLOR=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	_, err = io.Copy(&out, f) // ends with EIO once the child has exited
	var pe *os.PathError
	if err != nil && !(errors.As(err, &pe) && errors.Is(pe.Err, syscall.EIO)) {
		t.Fatalf("reading the terminal: %v", err)
	}
	werr := cmd.Wait()
	all := out.String()
	if werr != nil {
		t.Fatalf("apply under a terminal: %v\n%s", werr, tail(all, 3000))
	}
	for _, want := range []string{"\x1b[?25l", "\x1b[J", "\x1b[?25h", "smgr", "sm-dal", "sm-chi"} {
		if !strings.Contains(all, want) {
			t.Errorf("terminal output lacks %q", want)
		}
	}
	redraws := 0
	for i := 1; i < 40; i++ {
		redraws += strings.Count(all, fmt.Sprintf("\x1b[%dA", i))
	}
	if redraws < 2 {
		t.Errorf("the board was not redrawn in place (%d cursor-up sequences)", redraws)
	}
	end := all[strings.LastIndex(all, "\x1b[?25h"):]
	if !strings.Contains(end, "run succeeded") {
		t.Errorf("the output does not end with the summary:\n%q", tail(all, 600))
	}
}

// journalHas reports whether a run's journal under records holds an event of
// typ for step.
func journalHas(records, typ, step string) bool {
	files, _ := filepath.Glob(filepath.Join(records, "*", "*-lab", "journal.jsonl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, `"type":"`+typ+`"`) && strings.Contains(l, `"`+step+`"`) {
				return true
			}
		}
	}
	return false
}

// TestInterruptAndResume: SIGINT during a slowed lab run exits 4 and leaves
// no node out of service; meanwhile a second apply is refused by the lock;
// --resume finishes the change without upgrading any node twice.
func TestInterruptAndResume(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	records, lab := filepath.Join(base, "records"), filepath.Join(base, "lab")
	cmd := exec.Command(binPath, "apply", "--lab", "--auto-approve", "--no-color", "--records", records,
		"--lab-dir", lab, "--time-scale", "20", manifest)
	cmd.Dir = base
	cmd.Env = testEnv()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	exited := false
	defer func() {
		if !exited {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	const step = "smgr/smgr/1/upgrade"
	for !journalHas(records, "step_start", step) {
		select {
		case err := <-done:
			exited = true
			t.Fatalf("apply ended (%v) before %s started:\n%s", err, step, tail(out.String(), 3000))
		case <-time.After(50 * time.Millisecond):
		}
	}

	// The change is locked while the first apply runs, in the lab folder it
	// rehearses on, whatever --records says.
	stdout, stderr, code := runCLI(t, base, "apply", "--lab", "--auto-approve", "--no-color", "--records",
		filepath.Join(base, "records2"), "--lab-dir", lab, manifest)
	wantCode(t, code, 1, stdout, stderr, "apply (second, while locked)")
	if !strings.Contains(stderr, "locked by") || !strings.Contains(stderr, fmt.Sprint(cmd.Process.Pid)) {
		t.Errorf("the second apply does not name the lock holder (pid %d):\n%s", cmd.Process.Pid, stderr)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
		exited = true
	case <-time.After(90 * time.Second):
		t.Fatalf("apply did not stop after SIGINT:\n%s", tail(out.String(), 3000))
	}
	if code := cmd.ProcessState.ExitCode(); code != 4 {
		t.Fatalf("interrupted apply: exit %d (%v), want 4:\n%s", code, err, tail(out.String(), 3000))
	}
	r := labRun{records: records, lab: lab}
	for _, n := range []string{"smgr", "sm-dal", "sm-chi"} {
		if s := r.node(t, n); s.ServiceState != "accepting" {
			t.Errorf("%s left %s after the interrupt", n, s.ServiceState)
		}
	}

	stdout, stderr, code = runCLI(t, base, "apply", "--lab", "--auto-approve", "--resume", "--no-color",
		"--records", records, "--lab-dir", lab, manifest)
	wantCode(t, code, 0, stdout, stderr, "apply --resume")
	if testing.Verbose() {
		t.Logf("resumed run:\n%s", stdout)
	}
	for _, n := range []string{"smgr", "sm-dal", "sm-chi"} {
		s := r.node(t, n)
		if s.Release != target || s.ServiceState != "accepting" {
			t.Errorf("%s after resume: %s, %s; want %s, accepting", n, s.Release, s.ServiceState, target)
		}
		if c := s.Count("upgrade"); c != 1 {
			t.Errorf("%s upgraded %d times, want once", n, c)
		}
		if want := initialDigest(t, n, 100); s.DataDigest != want {
			t.Errorf("%s: data digest changed across interrupt and resume", n)
		}
	}
	stdout, stderr, code = runCLI(t, base, "records", records)
	wantCode(t, code, 0, stdout, stderr, "records")
	if strings.Count(stdout, "\nCHG0031337 ") != 2 || !strings.Contains(stdout, "interrupted") || !strings.Contains(stdout, "succeeded") {
		t.Errorf("records does not list the interrupted and the resumed run:\n%s", stdout)
	}
}
