package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rebootReported checks that a run's output and journal report each
// upgrade's reboot as the expected end of the install, not as a lost
// connection.
func rebootReported(t *testing.T, out, journal string, nodes ...string) {
	t.Helper()
	for _, n := range nodes {
		if want := n + " is rebooting, as the upgrade does (expected)"; !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, tail(out, 3000))
		}
	}
	for where, s := range map[string]string{"output": out, "journal": journal} {
		for _, bad := range []string{"without exit status", "connection lost during upgrade"} {
			if i := strings.Index(s, bad); i >= 0 {
				t.Errorf("the %s reports the reboot as a failure: …%s…", where, s[max(0, i-200):min(len(s), i+60)])
			}
		}
	}
}

// TestUpgradeRebootReportedAsExpected: in the lab every installer ends by
// rebooting its node; the run says so instead of "connection lost".
func TestUpgradeRebootReportedAsExpected(t *testing.T) {
	t.Parallel()
	r := applyLab(t, copyExample(t, "core-cluster", ""))
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab")
	j, err := os.ReadFile(filepath.Join(r.recordDir(t), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	rebootReported(t, r.stdout+r.stderr, string(j), "smgr", "sm-dal", "sm-chi")
}
