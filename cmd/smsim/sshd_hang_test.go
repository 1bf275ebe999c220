package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// servers lists the pids of smsim processes serving state.
func servers(state string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), "serve\x00--state\x00"+state+"\x00") {
			out = append(out, e.Name())
		}
	}
	return out
}

// A command hung by a fault must not outlive its SSH session: when the
// client goes away, the simulator under sshd notices and exits.
func TestHungCommandEndsWithSession(t *testing.T) {
	state := filepath.Join(t.TempDir(), "sm-hang")
	if err := sim.Init(state, sim.Options{Kind: sim.KindSM, Release: "10.1.3.0"}); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetFault(state, "precheck", "hang", 1); err != nil {
		t.Fatal(err)
	}
	dial := sshdNode(t, state)
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("smcli precheck"); err != nil {
		t.Fatal(err)
	}
	// The fault is recorded in the history when the command starts hanging.
	for i := 0; ; i++ {
		if snap, err := sim.Show(state); err == nil && snap.Count("fault") == 1 {
			break
		}
		if i == 400 {
			t.Fatal("the hung command never started")
		}
		time.Sleep(25 * time.Millisecond)
	}
	c.Close()
	for i := 0; len(servers(state)) > 0; i++ {
		if i == 400 {
			t.Fatalf("hung simulator outlived its session: pids %v", servers(state))
		}
		time.Sleep(25 * time.Millisecond)
	}
}
