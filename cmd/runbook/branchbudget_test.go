package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
)

// branchManifest is an enterprise whose System Manager and core SMs are at
// the target already and four branches (BSMs) still to go, one at a time,
// with the policy lines given and a lab block.
func branchManifest(t *testing.T, policy, lab string) string {
	t.Helper()
	return fleetManifest(t, "10.2.0.1", "10.2.0.1", policy, lab)
}

// fleetManifest is branchManifest with System Manager and the core SMs sm-a
// and sm-b on the releases given.
func fleetManifest(t *testing.T, smgrRelease, coreRelease, policy, lab string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "branches")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`runbook "branches" {
  change_id = "CHG0060001"
  target    = "10.2.0.1"
  policy {
    on_failure      = "halt"
    branch_parallel = 1
` + policy + `
  }
}

connection "default" {
  user             = "cust"
  private_key_file = "~/.ssh/id_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
  host_key_check   = "strict"
}

backup {
  store = "` + filepath.Join(filepath.Dir(dir), "backups") + `"
}

artifact "smgr-10-2-0-1" {
  kind    = "release"
  product = "system_manager"
  release = "10.2.0.1"
  file    = "media/System_Manager_10.2.0.1.0.bin"
}

artifact "sm-10-2-0-1" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/Session_Manager_10.2.0.1.0.bin"
}

system_manager "smgr" {
  host     = "smgr.example.net"
  release  = "` + smgrRelease + `"
  platform = "vmware"
}

cluster "core" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "` + coreRelease + `"
    platform  = "vmware"
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "` + coreRelease + `"
    platform  = "vmware"
    secondary = "sm-a"
  }
}

cluster "branches" {
`)
	for _, n := range branchNames {
		b.WriteString(`  branch_session_manager "` + n + `" {
    host     = "` + n + `.example.net"
    release  = "10.1.3.0"
    platform = "vmware"
    core     = ["sm-a", "sm-b"]
  }
`)
	}
	b.WriteString("}\n\n" + lab)
	if err := os.WriteFile(filepath.Join(dir, "upgrade.hcl"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

var branchNames = []string{"bsm-1", "bsm-2", "bsm-3", "bsm-4"}

// failBranches is a lab block failing the upgrade of the named branches.
func failBranches(names ...string) string {
	s := "lab {\n"
	for _, n := range names {
		s += "  node \"" + n + "\" {\n    fail = \"upgrade\"\n  }\n"
	}
	return s + "}\n"
}

// upgraded lists the branches the lab shows at the target.
func (r labRun) upgraded(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, n := range branchNames {
		if r.node(t, n).Release == "10.2.0.1" {
			out = append(out, n)
		}
	}
	return out
}

// TestLabMaxFailedBranches: policy.max_failed_branches lets a branch wave go
// on past failed branches within the budget (a count or a percentage), stops
// starting branches once past it, and without it the first failure halts.
func TestLabMaxFailedBranches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, policy, lab string
		upgraded          int
		names             []string
	}{
		// Unset: the first failed branch halts the run (as before).
		{name: "unset", lab: failBranches("bsm-1"), upgraded: 0},
		// One failure tolerated: the three others are upgraded.
		{name: "count-within", policy: `max_failed_branches = 1`, lab: failBranches("bsm-1"), upgraded: 3,
			names: []string{"within max_failed_branches = 1"}},
		// 25% of 4 is one branch: the second failure spends the budget and
		// no new branch starts.
		{name: "percent-exceeded", policy: `max_failed_branches = "25%"`, lab: failBranches("bsm-1", "bsm-2"), upgraded: 0,
			names: []string{"max_failed_branches = 25% exceeded: 2 of 4 branch(es) failed; no new branch starts"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := applyLab(t, branchManifest(t, c.policy, c.lab))
			wantCode(t, r.code, 3, r.stdout, r.stderr, "apply --lab", c.name)
			got := r.upgraded(t)
			if len(got) != c.upgraded {
				t.Errorf("branches upgraded: %v, want %d of them\nstderr:\n%s", got, c.upgraded, tail(r.stderr, 3000))
			}
			journal, err := os.ReadFile(filepath.Join(r.recordDir(t), record.JournalFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.names {
				if !strings.Contains(r.stderr+r.stdout, s) || !strings.Contains(string(journal), s) {
					t.Errorf("the output or the journal does not say %q\nstdout:\n%s", s, tail(r.stdout, 3000))
				}
			}
			for _, n := range branchNames {
				if st := r.node(t, n).ServiceState; st != "accepting" {
					t.Errorf("%s left %s, want accepting", n, st)
				}
			}
		})
	}
}
