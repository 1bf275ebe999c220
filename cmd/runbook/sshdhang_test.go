package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// TestSSHDInterruptHungInstaller: over sshd, sm-chi's installer hangs (the
// default profile's 4h timeout). SIGINT stops apply once the configured
// grace ran out: exit 4, sm-chi named and recorded in unknown state, left
// as it is; the other nodes are not touched after the interrupt.
func TestSSHDInterruptHungInstaller(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	if err := sim.SetFault(f.dirs["sm-chi"], "upgrade", "hang", 1); err != nil {
		t.Fatal(err)
	}
	b := startApply(t, f, "--auto-approve", "--interrupt-grace", "1s")
	b.waitFor(t, "step_start", regexp.MustCompile(`^core/sm-chi/1/upgrade$`))
	b.until(t, func() bool { s, err := sim.Show(f.dirs["sm-chi"]); return err == nil && s.Count("fault") == 1 })

	code, out := b.interrupt(t)
	if code != 4 {
		t.Fatalf("interrupted apply: exit %d, want 4:\n%s", code, tail(out, 3000))
	}
	for _, want := range []string{"still running: core/sm-chi/1/upgrade", "sm-chi is in unknown state: check it before --resume"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, tail(out, 3000))
		}
	}
	dirs := f.runDirs("apply")
	if len(dirs) != 1 {
		t.Fatalf("want one apply record, found %v", dirs)
	}
	rec, err := os.ReadFile(filepath.Join(dirs[0], "record.json"))
	if err != nil || !strings.Contains(string(rec), `"interrupted"`) || !strings.Contains(string(rec), "sm-chi in unknown state: check it before --resume") {
		t.Errorf("record.json does not record sm-chi in unknown state (%v)", err)
	}
	if s := f.node(t, "sm-chi"); s.ServiceState != "denying" || s.Release != "10.1.3.0" {
		t.Errorf("sm-chi: %s, %s; want it left as it was (denying, 10.1.3.0)", s.ServiceState, s.Release)
	}
}
