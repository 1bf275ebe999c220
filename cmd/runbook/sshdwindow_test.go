package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setWindow puts a maintenance window into the fleet's runbook block.
func (f *sshdFleet) setWindow(t *testing.T, start, end time.Time) {
	t.Helper()
	path := filepath.Join(f.manifest, "upgrade.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	win := "window {\n    start = \"" + start.UTC().Format(time.RFC3339) + "\"\n    end   = \"" + end.UTC().Format(time.RFC3339) + "\"\n  }\n\n  policy {"
	src := strings.Replace(string(b), "policy {", win, 1)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSSHDApplyRefusedOutsideWindow: with the window three weeks ahead, a
// real apply refuses with exit 1, naming the window and the time now, and
// opens no SSH connection; dry-run still works; --ignore-window applies
// with a warning that the change record keeps.
func TestSSHDApplyRefusedOutsideWindow(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	start := time.Now().Add(21 * 24 * time.Hour).Truncate(time.Hour)
	f.setWindow(t, start, start.Add(12*time.Hour))
	before := f.snapshots(t)

	stdout, stderr, code := f.apply(t, "--auto-approve")
	wantCode(t, code, 1, stdout, stderr, "apply three weeks before the window")
	for _, want := range []string{"outside the maintenance window", start.UTC().Format(time.RFC3339), "now is ", "--ignore-window"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, tail(stderr, 2000))
		}
	}
	for n, s := range f.servers {
		if s.Accepted() != 0 {
			t.Errorf("apply outside the window connected to %s (%d connections)", n, s.Accepted())
		}
	}
	f.assertUnchanged(t, before)

	stdout, stderr, code = runCLI(t, f.base, "apply", "--dry-run", "--no-color", "--records", f.records, f.manifest)
	wantCode(t, code, 0, stdout, stderr, "apply --dry-run outside the window")
	if !strings.Contains(stdout, "apply would refuse") {
		t.Errorf("the dry-run does not report the window verdict:\n%s", tail(stdout, 2000))
	}

	stdout, stderr, code = f.apply(t, "--auto-approve", "--ignore-window")
	wantCode(t, code, 0, stdout, stderr, "apply --ignore-window")
	if !strings.Contains(stdout+stderr, "--ignore-window") {
		t.Errorf("apply --ignore-window does not warn:\n%s", tail(stdout+stderr, 2000))
	}
	for _, n := range f.nodes {
		if s := f.node(t, n.name); s.Release != fleetTarget {
			t.Errorf("%s on %s after apply --ignore-window, want %s", n.name, s.Release, fleetTarget)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(f.records, fleetChange, "*-apply*")) // two runs may share a second
	if len(dirs) != 2 {
		t.Fatalf("want the refused and the applied run recorded, found %v", dirs)
	}
	kept := false
	for _, d := range dirs {
		rec, err := os.ReadFile(filepath.Join(d, "record.json"))
		if err != nil {
			t.Fatal(err)
		}
		kept = kept || (strings.Contains(string(rec), `"succeeded"`) && strings.Contains(string(rec), `"window.closed"`) &&
			strings.Contains(string(rec), "--ignore-window"))
	}
	if !kept {
		t.Errorf("record.json of the applied run does not keep the ignored window")
	}
}
