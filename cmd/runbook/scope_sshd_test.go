package main

import (
	"strings"
	"testing"
)

// --cluster over real sshd: what a selection may name, and the order rules
// judged against it before anything runs.

// TestSSHDClusterWithoutSMGRRefusedUpFront: --cluster core while System
// Manager (outside the selection) is still on 10.1 is refused before any
// step (exit 1, nothing changed, no SM drained); once System Manager was
// upgraded with --cluster smgr, the same --cluster core run goes through.
func TestSSHDClusterWithoutSMGRRefusedUpFront(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	before := f.snapshots(t)
	stdout, stderr, code := f.apply(t, "--auto-approve", "--cluster", "core")
	wantCode(t, code, 1, stdout, stderr, "apply --cluster core")
	if !strings.Contains(stderr, "order.smgr_first") || !strings.Contains(stderr, "add --cluster smgr") {
		t.Errorf("stderr does not name the rule and the fix:\n%s", stderr)
	}
	f.assertUnchanged(t, before)

	stdout, stderr, code = f.apply(t, "--auto-approve", "--cluster", "smgr")
	wantCode(t, code, 0, stdout, stderr, "apply --cluster smgr")
	stdout, stderr, code = f.apply(t, "--auto-approve", "--cluster", "core")
	wantCode(t, code, 0, stdout, stderr, "apply --cluster core, System Manager on 10.2")
	for _, n := range f.nodes {
		if s := f.node(t, n.name); s.Release != fleetTarget || s.ServiceState != "accepting" {
			t.Errorf("%s: %s, %s", n.name, s.Release, s.ServiceState)
		}
	}
}

// TestSSHDUnknownClusterRefused: a --cluster that names no cluster is an
// error with a suggestion, before any connection is opened.
func TestSSHDUnknownClusterRefused(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	before := f.snapshots(t)
	stdout, stderr, code := f.apply(t, "--auto-approve", "--cluster", "cor")
	wantCode(t, code, 1, stdout, stderr, "apply --cluster cor")
	if !strings.Contains(stderr, `Did you mean "core"?`) || !strings.Contains(stderr, `System Manager is "smgr"`) {
		t.Errorf("stderr:\n%s", stderr)
	}
	f.assertUnchanged(t, before)
	for _, n := range f.nodes {
		if a := f.servers[n.name].Accepted(); a != 0 {
			t.Errorf("%s: %d SSH connection(s) opened", n.name, a)
		}
	}
	if d := f.runDirs("apply"); len(d) != 0 {
		t.Errorf("apply records written: %v", d)
	}
}
