package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// labFault is a core-cluster rehearsal with a lab block (or other HCL)
// added, and what must hold afterwards.
type labFault struct {
	name  string
	extra string
	edits []string // old, new pairs applied to the manifest copy
	code  int
	// names are strings stderr and record.json must both contain.
	names []string
	// chi is sm-chi's release afterwards.
	chi string
}

const source, target = "10.1.3.0", "10.2.0.1"

// labNode is a lab block for one node with one attribute.
func labNode(node, attr string) string {
	return "lab {\n  node \"" + node + "\" {\n    " + attr + "\n  }\n}\n"
}

func TestLabFaults(t *testing.T) {
	t.Parallel()
	cases := []labFault{
		{name: "fail-backup", code: 3, chi: source,
			extra: labNode("sm-chi", `fail = "backup"`),
			names: []string{"core/sm-chi/1/backup"}},
		{name: "disconnect-upgrade", code: 0, chi: target,
			extra: labNode("sm-chi", `disconnect = "upgrade"`)},
		{name: "slow-upgrade", code: 0, chi: target,
			extra: labNode("sm-chi", `slow = "upgrade"`)},
		{name: "active-calls", code: 3, chi: source,
			extra: labNode("sm-dal", `active_calls = 40`),
			edits: []string{`drain_timeout    = "30m"`, `drain_timeout    = "200ms"`},
			names: []string{"calls.active", "core/sm-dal/1/drain"}},
		{name: "rollback-verify", code: 3, chi: source,
			extra: labNode("sm-chi", `fail = "verify"`), // the example declares the 10.1.3.0 media
			names: []string{"core/sm-chi/1/verify"}},
		{name: "firewall-ports", code: 3, chi: source,
			extra: labNode("sm-chi", `blocked_ports = [61617]`),
			names: []string{"firewall.ports", "61617"}},
		{name: "user-guard", code: 3, chi: source,
			extra: `guard "chi-frozen" {
  phase     = "drain"
  condition = node.name != "sm-chi"
  message   = "${node.name} is frozen for the trading day"
}`,
			names: []string{"chi-frozen"}},
		// A hang is bounded by the action's timeout, which a manifest's
		// profile block may shorten. A timed-out installer is a failure
		// naming the timeout (not a reboot), is not run again, and the
		// failure policy follows.
		{name: "hang-upgrade", code: 3, chi: source,
			extra: labNode("sm-chi", `hang = "upgrade"`) + `
profile {
  kind "session_manager" {
    action "upgrade" {
      command = "upgradeSM --media {{.media}} --sha256 {{.sha256}}"
      timeout = "2s"
    }
  }
}`,
			names: []string{"core/sm-chi/1/upgrade", "upgrade did not end within 2s"}},
		// A timed-out backup changed nothing: it is taken again.
		{name: "hang-backup", code: 0, chi: target,
			extra: labNode("sm-chi", `hang = "backup"`) + `
profile {
  kind "session_manager" {
    action "backup" {
      command = "backupSM --dir /var/opt/backup"
      parse   = "regex"
      regex   = "(?m)^Backup archive:\\s*(\\S+)"
      timeout = "2s"
    }
  }
}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			manifest := copyExample(t, "core-cluster", c.extra, c.edits...)
			r := applyLab(t, manifest)
			wantCode(t, r.code, c.code, r.stdout, r.stderr, "apply --lab", c.name)
			doc, raw := r.recordJSON(t)
			wantStatus := map[int]string{0: "succeeded", 3: "failed"}[c.code]
			if doc["status"] != wantStatus {
				t.Errorf("record status %v, want %s", doc["status"], wantStatus)
			}
			for _, s := range c.names {
				if !strings.Contains(r.stderr, s) && !strings.Contains(r.stdout, s) {
					t.Errorf("the run's output does not name %q:\nstderr:\n%s", s, tail(r.stderr, 3000))
				}
				if !strings.Contains(raw, s) {
					t.Errorf("record.json does not name %q", s)
				}
				if md, err := os.ReadFile(filepath.Join(r.recordDir(t), "record.md")); err != nil || !strings.Contains(string(md), s) {
					t.Errorf("record.md does not name %q (%v)", s, err)
				}
			}
			chi := r.node(t, "sm-chi")
			if chi.Release != c.chi {
				t.Errorf("sm-chi at %s, want %s", chi.Release, c.chi)
			}
			for _, name := range []string{"smgr", "sm-dal", "sm-chi"} {
				snap := r.node(t, name)
				if snap.ServiceState != "accepting" {
					t.Errorf("%s left %s, want accepting", name, snap.ServiceState)
				}
				if snap.DroppedCalls != 0 {
					t.Errorf("%s: %d calls cut by a reboot", name, snap.DroppedCalls)
				}
				if want := initialDigest(t, name, 100); snap.DataDigest != want {
					t.Errorf("%s: data digest %s, want %s (data lost)", name, snap.DataDigest, want)
				}
			}
			if c.name == "rollback-verify" {
				if chi.Count("restore") < 2 {
					t.Errorf("sm-chi was not restored from its pre-upgrade backup: history %+v", chi.History)
				}
				if !strings.Contains(raw, "rolled") {
					t.Errorf("record.json does not say sm-chi was rolled back")
				}
			}
			if strings.HasPrefix(c.name, "hang-") && chi.Count("fault") != 1 {
				t.Errorf("sm-chi: the hang fault did not fire once: history %+v", chi.History)
			}
			if c.name == "hang-upgrade" && chi.Count("upgrade") != 0 {
				t.Errorf("sm-chi: the hung installer was run again: history %+v", chi.History)
			}
			if c.name == "hang-backup" && chi.Count("backup") != 1 {
				t.Errorf("sm-chi: %d backups, want 1 after the timed-out one", chi.Count("backup"))
			}
			if c.name == "disconnect-upgrade" && (chi.Reboots == 0 || chi.Count("upgrade") != 1) {
				t.Errorf("sm-chi: %d reboots, %d upgrades; want the upgrade run once across the drop", chi.Reboots, chi.Count("upgrade"))
			}
		})
	}
}
