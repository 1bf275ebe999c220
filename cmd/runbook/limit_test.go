package main

import (
	"slices"
	"strings"
	"testing"
)

// TestLabLimit: apply --limit runs the nodes it names or matches (a glob,
// repeatable) and no other, and refuses, before any step and naming the
// rule, a selection that leaves out a node the order rules need first.
func TestLabLimit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		smgr, core   string
		limit        []string
		code         int
		upgraded     []string // branches at the target afterwards
		coreUpgraded bool
		stderr       []string
	}{
		{name: "one-branch", smgr: target, core: target, limit: []string{"bsm-3"}, upgraded: []string{"bsm-3"}},
		{name: "glob", smgr: target, core: target, limit: []string{"bsm-[12]"}, upgraded: []string{"bsm-1", "bsm-2"}},
		{name: "repeated", smgr: target, core: target, limit: []string{"bsm-1", "bsm-4"}, upgraded: []string{"bsm-1", "bsm-4"}},
		// Branches without their core SMs, which are still below them.
		{name: "branches-without-core", smgr: target, core: source, limit: []string{"bsm-*"}, code: 1,
			stderr: []string{"bsm.above_core", "add --limit sm-a --limit sm-b", "nothing was changed"}},
		// Core SMs and their branches together: the plan's order holds.
		{name: "core-and-branches", smgr: target, core: source, limit: []string{"sm-?", "bsm-1"},
			upgraded: []string{"bsm-1"}, coreUpgraded: true},
		// Core SMs without the System Manager they need first.
		{name: "core-without-smgr", smgr: source, core: source, limit: []string{"sm-a", "sm-b"}, code: 1,
			stderr: []string{"order.smgr_first", "add --limit smgr", "nothing was changed"}},
		{name: "unknown", smgr: target, core: target, limit: []string{"bsm-9"}, code: 1,
			stderr: []string{`--limit "bsm-9" matches no node of the manifest`, "Did you mean"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var args []string
			for _, l := range c.limit {
				args = append(args, "--limit", l)
			}
			r := applyLab(t, fleetManifest(t, c.smgr, c.core, "", ""), args...)
			wantCode(t, r.code, c.code, r.stdout, r.stderr, "apply --lab", c.name)
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not say %q:\n%s", s, tail(r.stderr, 3000))
				}
			}
			if c.code == 1 && strings.Contains(c.name, "unknown") {
				return // refused before the lab started
			}
			if got := r.upgraded(t); !slices.Equal(got, c.upgraded) {
				t.Errorf("branches upgraded: %v, want %v", got, c.upgraded)
			}
			for _, n := range []string{"sm-a", "sm-b"} {
				snap := r.node(t, n)
				if want := map[bool]string{true: target, false: c.core}[c.coreUpgraded]; snap.Release != want {
					t.Errorf("%s on %s, want %s", n, snap.Release, want)
				}
			}
			for _, n := range append([]string{"smgr", "sm-a", "sm-b"}, branchNames...) {
				snap := r.node(t, n)
				if snap.ServiceState != "accepting" {
					t.Errorf("%s left %s", n, snap.ServiceState)
				}
				if c.code == 1 && (snap.Count("drain") > 0 || snap.Count("upgrade") > 0 || snap.Count("backup") > 0) {
					t.Errorf("%s was changed by a refused run: %+v", n, snap.History)
				}
			}
		})
	}
}
