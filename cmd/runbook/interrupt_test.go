package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// hungLab is the binary's lab apply of core-cluster with sm-chi's installer
// hung (the default profile's 4h timeout), running in the background.
type hungLab struct {
	labRun
	cmd    *exec.Cmd
	out    syncBuffer
	done   chan error
	exited bool
}

func startHungLab(t *testing.T, args ...string) *hungLab {
	t.Helper()
	manifest := copyExample(t, "core-cluster", labNode("sm-chi", `hang = "upgrade"`))
	base := t.TempDir()
	h := &hungLab{labRun: labRun{records: filepath.Join(base, "records"), lab: filepath.Join(base, "lab")}, done: make(chan error, 1)}
	all := append([]string{"apply", "--lab", "--auto-approve", "--no-color", "--records", h.records, "--lab-dir", h.lab}, args...)
	h.cmd = exec.Command(binPath, append(all, manifest)...)
	h.cmd.Dir, h.cmd.Env = base, testEnv()
	h.cmd.Stdout, h.cmd.Stderr = &h.out, &h.out
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.done <- h.cmd.Wait() }()
	t.Cleanup(func() {
		if !h.exited {
			_ = h.cmd.Process.Kill()
			<-h.done
		}
	})
	// The installer hangs once its fault fired on the node.
	h.until(t, func() bool {
		if !journalHas(h.records, "step_start", "core/sm-chi/1/upgrade") {
			return false
		}
		snap, err := sim.Show(filepath.Join(h.lab, "nodes", "sm-chi"))
		return err == nil && snap.Count("fault") == 1
	})
	return h
}

// until polls cond; the run ending first fails the test, and so does a
// generous bound (only there so that a hang fails the test, not the suite).
func (h *hungLab) until(t *testing.T, cond func() bool) {
	t.Helper()
	giveUp := time.After(2 * time.Minute)
	for !cond() {
		select {
		case err := <-h.done:
			h.exited = true
			t.Fatalf("apply ended (%v) before the awaited point:\n%s", err, tail(h.out.String(), 3000))
		case <-giveUp:
			t.Fatalf("the awaited point never came:\n%s", tail(h.out.String(), 3000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// signal sends sig to the apply.
func (h *hungLab) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := h.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait returns the exit code; the bound only makes a hang fail the test
// instead of the suite.
func (h *hungLab) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-h.done:
		h.exited = true
	case <-time.After(90 * time.Second):
		t.Fatalf("apply did not stop after the interrupt:\n%s", tail(h.out.String(), 3000))
	}
	return h.cmd.ProcessState.ExitCode()
}

// TestInterruptStopsHungInstaller: SIGTERM while sm-chi's installer hangs.
// No new step starts, the running installer is named, and once the
// (configured) grace ran out it is stopped: exit 4, sm-chi reported and
// recorded in unknown state, and left as it was (denying new service).
func TestInterruptStopsHungInstaller(t *testing.T) {
	t.Parallel()
	h := startHungLab(t, "--interrupt-grace", "1s")
	h.signal(t, syscall.SIGTERM)
	code := h.wait(t)
	out := h.out.String()
	if code != 4 {
		t.Fatalf("exit %d, want 4:\n%s", code, tail(out, 3000))
	}
	resume := "Interrupted: the journal is saved. To continue, run:\n  runbook apply --resume --lab --lab-dir " + h.lab + " --records " + h.records + " /"
	for _, want := range []string{"still running: core/sm-chi/1/upgrade", "sm-chi is in unknown state: check it before --resume", resume} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, tail(out, 3000))
		}
	}
	doc, raw := h.recordJSON(t)
	if doc["status"] != "interrupted" || !strings.Contains(raw, "sm-chi in unknown state: check it before --resume") {
		t.Errorf("record.json: status %v; want interrupted with sm-chi in unknown state", doc["status"])
	}
	if md, err := os.ReadFile(filepath.Join(h.recordDir(t), "record.md")); err != nil || !strings.Contains(string(md), "unknown state") {
		t.Errorf("record.md does not mark sm-chi in unknown state (%v)", err)
	}
	if s := h.node(t, "sm-chi"); s.ServiceState != "denying" || s.Count("upgrade") != 0 {
		t.Errorf("sm-chi: %s, %d upgrade(s); want it left as it was, denying", s.ServiceState, s.Count("upgrade"))
	}
}

// TestSecondInterruptExitsAtOnce: with the default grace (minutes), a
// second SIGINT ends apply at once with exit 4, as Terraform does.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	t.Parallel()
	h := startHungLab(t)
	h.signal(t, os.Interrupt)
	h.until(t, func() bool { return strings.Contains(h.out.String(), "Interrupt received") })
	h.signal(t, os.Interrupt)
	code := h.wait(t)
	out := h.out.String()
	if code != 4 {
		t.Fatalf("exit %d, want 4:\n%s", code, tail(out, 3000))
	}
	if !strings.Contains(out, "Second interrupt: exiting at once") || !strings.Contains(out, "check it before --resume") {
		t.Errorf("the output does not say it exits at once:\n%s", tail(out, 3000))
	}
}
