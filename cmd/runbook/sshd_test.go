package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// planDoc is the part of plan --json these tests read.
type planDoc struct {
	Nodes []struct {
		Name, Release string
		SSP           int
		Path          []string
	} `json:"nodes"`
	Steps []struct{ ID string } `json:"steps"`
}

func readPlan(t *testing.T, stdout string) planDoc {
	t.Helper()
	var p planDoc
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, tail(stdout, 2000))
	}
	return p
}

// TestSSHDPlanRefresh: plan --refresh reads the nodes' real release and SSP
// over sshd — sm-chi is declared 10.1.3.0 SSP 12 but really on 10.1.2.0
// SSP 10, so the refreshed plan starts it from 10.1.2.0 and inserts an SSP
// pass the declared plan has not — and changes nothing on any node.
func TestSSHDPlanRefresh(t *testing.T) {
	t.Parallel()
	nodes := standardFleet()
	nodes[2].real, nodes[2].realSSP = "10.1.2.0", 10
	f := startFleet(t, nodes, 0.2, "")
	before := f.snapshots(t)

	stdout, stderr, code := runCLI(t, f.base, "plan", "--json", f.manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --json")
	declared := readPlan(t, stdout)
	for n, s := range f.servers {
		if s.Accepted() != 0 {
			t.Errorf("plan without --refresh connected to %s (%d connections)", n, s.Accepted())
		}
	}

	stdout, stderr, code = runCLI(t, f.base, "plan", "--json", "--refresh", f.manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --json --refresh")
	refreshed := readPlan(t, stdout)
	chi := func(p planDoc) (string, int, []string) {
		for _, n := range p.Nodes {
			if n.Name == "sm-chi" {
				return n.Release, n.SSP, n.Path
			}
		}
		t.Fatalf("no sm-chi in the plan")
		return "", 0, nil
	}
	hasSSP := func(p planDoc) bool {
		for _, s := range p.Steps {
			if s.ID == "core/sm-chi/0/ssp" {
				return true
			}
		}
		return false
	}
	if r, _, _ := chi(declared); r != "10.1.3.0" || hasSSP(declared) {
		t.Fatalf("the declared plan starts sm-chi from %s (ssp pass %v), want 10.1.3.0 without", r, hasSSP(declared))
	}
	r, ssp, path := chi(refreshed)
	if r != "10.1.2.0" || ssp != 10 || strings.Join(path, " ") != "10.1.2.0 10.2.0.1" {
		t.Errorf("refreshed sm-chi: release %s ssp %d path %v, want the real 10.1.2.0, SSP 10", r, ssp, path)
	}
	if !hasSSP(refreshed) {
		t.Errorf("the refreshed plan inserts no SSP pass for sm-chi's real SSP 10")
	}
	if !strings.Contains(stderr, "ssp.required") {
		t.Errorf("plan --refresh does not warn ssp.required:\n%s", stderr)
	}

	stdout, stderr, code = runCLI(t, f.base, "plan", "--no-color", "--refresh", f.manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --refresh")
	if !strings.Contains(stdout, "10.1.2.0 -> 10.2.0.1") || !strings.Contains(stdout, "sm-chi  SSP pass on 10.1.2.0") {
		t.Errorf("plan --refresh text does not show the real release and the SSP pass:\n%s", tail(stdout, 3000))
	}
	f.assertUnchanged(t, before)
	for n, s := range f.servers {
		if s.Accepted() != 2 {
			t.Errorf("%s: %d connections for two refreshed plans, want 2", n, s.Accepted())
		}
	}
}

// TestSSHDDryRunRefresh: apply --dry-run --refresh reads facts over sshd and
// prints every changing command in order per node; nothing changes.
func TestSSHDDryRunRefresh(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	before := f.snapshots(t)
	stdout, stderr, code := f.apply(t, "--dry-run", "--refresh")
	wantCode(t, code, 0, stdout, stderr, "apply --dry-run --refresh")
	// Per node, the changing commands in order ("would run" is the
	// dry-run gate's line for a command it held back).
	order := map[string][]string{
		"smgr/smgr": {`1/backup would run: backupSM`, `1/upload \$ sftp put \S+ /var/tmp/runbook/System_Manager_10\.2\.0\.1`,
			`1/upgrade would run: SMGRPatchdeploy --media /var/tmp/runbook/System_Manager_10\.2\.0\.1`, `1/restore would run: restoreSM`},
	}
	for _, n := range []string{"core/sm-dal", "core/sm-chi"} {
		order[n] = []string{`1/backup would run: backupSM`, `1/upload \$ sftp put \S+ /var/tmp/runbook/Session_Manager_10\.2\.0\.1`,
			`1/drain would run: smcli service-state deny`, `1/upgrade would run: upgradeSM --media /var/tmp/runbook/Session_Manager_10\.2\.0\.1`,
			`1/restore would run: restoreSM`, `1/undrain would run: smcli service-state accept`}
	}
	for node, steps := range order {
		rest := stdout
		for _, s := range steps {
			re := regexp.MustCompile(regexp.QuoteMeta(node+"/") + s)
			loc := re.FindStringIndex(rest)
			if loc == nil {
				t.Fatalf("dry-run output lacks, in order, %q:\n%s", re, tail(stdout, 6000))
			}
			rest = rest[loc[1]:]
		}
	}
	// Across nodes: System Manager first; one core SM out of service at a time.
	at := func(s string) int { return strings.Index(stdout, s) }
	dalDeny, dalAccept := at("core/sm-dal/1/drain would run"), at("core/sm-dal/1/undrain would run")
	chiDeny, chiAccept := at("core/sm-chi/1/drain would run"), at("core/sm-chi/1/undrain would run")
	if smgr := at("smgr/smgr/1/upgrade would run"); smgr > dalDeny || smgr > chiDeny {
		t.Errorf("an SM is drained before System Manager's upgrade is printed")
	}
	if !(dalAccept < chiDeny || chiAccept < dalDeny) {
		t.Errorf("both core SMs are out of service at once in the dry-run")
	}
	f.assertUnchanged(t, before)
	for n, s := range f.snapshots(t) {
		if len(s.History) != 0 || len(s.Backups) != 0 || s.Release != "10.1.3.0" || s.ServiceState != "accepting" {
			t.Errorf("%s after the dry-run: %s, %s, history %v", n, s.Release, s.ServiceState, s.History)
		}
	}
	if len(f.runDirs("dry-run")) != 1 || len(f.runDirs("apply")) != 0 {
		t.Errorf("want one dry-run record and no apply record: %v %v", f.runDirs("dry-run"), f.runDirs("apply"))
	}
}

// TestSSHDApply: the real apply over sshd upgrades the fleet with one SSH
// connection per node, plus one reconnect per reboot, each reboot reported
// as the expected end of its install.
func TestSSHDApply(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	before := f.snapshots(t)
	start := time.Now()
	stdout, stderr, code := f.apply(t, "--auto-approve")
	wall := time.Since(start)
	wantCode(t, code, 0, stdout, stderr, "apply --auto-approve")
	t.Logf("apply over sshd (3 nodes, smsim time scale 0.2): %v", wall.Round(10*time.Millisecond))
	for _, n := range f.nodes {
		s := f.node(t, n.name)
		if s.Release != fleetTarget || s.ServiceState != "accepting" || s.DataDigest != before[n.name].DataDigest {
			t.Errorf("%s: %s, %s, digest kept %v; want %s, accepting, kept", n.name, s.Release, s.ServiceState,
				s.DataDigest == before[n.name].DataDigest, fleetTarget)
		}
		if c := s.Count("upgrade"); c != 1 {
			t.Errorf("%s upgraded %d times", n.name, c)
		}
		reboots, accepted := s.Count("reboot"), f.servers[n.name].Accepted()
		t.Logf("%s: %d SSH connection(s), %d reboot(s)", n.name, accepted, reboots)
		if accepted != 1+reboots {
			t.Errorf("%s: sshd accepted %d connections, want 1 + %d reboot(s)", n.name, accepted, reboots)
		}
	}
	dirs := f.runDirs("apply")
	if len(dirs) != 1 {
		t.Fatalf("want one apply record, found %v", dirs)
	}
	for _, name := range []string{"journal.jsonl", "record.md", "record.json", "plan.json"} {
		if _, err := os.Stat(filepath.Join(dirs[0], name)); err != nil {
			t.Errorf("record: %v", err)
		}
	}
	var rec struct{ Status string }
	if b, err := os.ReadFile(filepath.Join(dirs[0], "record.json")); err != nil || json.Unmarshal(b, &rec) != nil || rec.Status != "succeeded" {
		t.Errorf("record.json: status %q (%v), want succeeded", rec.Status, err)
	}
	// Each installer's reboot is the expected end of the install.
	journal, _ := os.ReadFile(filepath.Join(dirs[0], "journal.jsonl"))
	rebootReported(t, stdout+stderr, string(journal), "smgr", "sm-dal", "sm-chi")
}

// TestSSHDChangedHostKey: one SM's known_hosts entry holds another key;
// apply refuses before anything changes, naming the host, the file and both
// fingerprints.
func TestSSHDChangedHostKey(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, "")
	before := f.snapshots(t)
	_, wrong := sshdtest.NewKey(t)
	chi := f.servers["sm-chi"]
	sshdtest.WriteKnownHosts(t, f.knownHosts, f.lines["smgr"], f.lines["sm-dal"], sshdtest.KnownHostsLine(chi.Addr, wrong.PublicKey()))
	stdout, stderr, code := f.apply(t, "--auto-approve")
	wantCode(t, code, 1, stdout, stderr, "apply with a changed host key")
	if testing.Verbose() {
		t.Logf("refusal:\n%s", stderr)
	}
	if !strings.Contains(stderr, chi.Addr) && !strings.Contains(stderr, knownhosts.Normalize(chi.Addr)) {
		t.Errorf("the refusal does not name the host %s:\n%s", chi.Addr, tail(stderr, 2000))
	}
	for _, want := range []string{"sm-chi", f.knownHosts, gossh.FingerprintSHA256(chi.HostKey), gossh.FingerprintSHA256(wrong.PublicKey())} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the refusal does not name %q:\n%s", want, tail(stderr, 2000))
		}
	}
	f.assertUnchanged(t, before)
	for n, s := range f.snapshots(t) {
		if len(s.History) != 0 || len(s.Backups) != 0 || s.Release != "10.1.3.0" || s.ServiceState != "accepting" {
			t.Errorf("%s changed although the apply was refused: %s, %s, history %v", n, s.Release, s.ServiceState, s.History)
		}
	}
}

const secretToken = "Zq9-secret-Value-77"

// secretStep echoes a sensitive variable on both SMs before their drain.
const secretStep = `
variable "token" {
  type      = string
  sensitive = true
}

step "announce" {
  module  = "shell"
  nodes   = ["sm-dal", "sm-chi"]
  before  = "drain"
  command = "echo ${var.token}"
}
`

// TestSSHDSecretRedacted: a sensitive variable echoed on the nodes over sshd
// appears in no output and no record file; "(sensitive)" stands for it.
func TestSSHDSecretRedacted(t *testing.T) {
	t.Parallel()
	f := startFleet(t, standardFleet(), 0.2, secretStep)
	stdout, stderr, code := f.apply(t, "--auto-approve", "-var", "token="+secretToken)
	wantCode(t, code, 0, stdout, stderr, "apply -var token=…")
	for where, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if i := strings.Index(s, secretToken); i >= 0 {
			t.Errorf("the secret leaks into %s: …%s…", where, s[max(0, i-80):min(len(s), i+40)])
		}
	}
	dirs := f.runDirs("apply")
	if len(dirs) != 1 {
		t.Fatalf("want one apply record, found %v", dirs)
	}
	for _, name := range []string{"journal.jsonl", "record.md", "record.json", "plan.json"} {
		b, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Errorf("record: %v", err)
			continue
		}
		if i := strings.Index(string(b), secretToken); i >= 0 {
			t.Errorf("the secret leaks into %s: …%s…", name, b[max(0, i-80):min(len(b), i+40)])
		}
		if name != "record.md" && !strings.Contains(string(b), "(sensitive)") {
			t.Errorf("%s does not show (sensitive) for the step's command", name)
		}
	}
	// The step ran on the nodes (its command is recorded, redacted).
	journal, _ := os.ReadFile(filepath.Join(dirs[0], "journal.jsonl"))
	if n := strings.Count(string(journal), "echo (sensitive)"); n < 2 {
		t.Errorf("the journal records the announce command %d time(s), want it on both SMs", n)
	}
	if !strings.Contains(stdout, "(sensitive)") {
		t.Errorf("apply's output does not show (sensitive):\n%s", tail(stdout, 2000))
	}
}

// TestSSHDInterruptDrainAndResume: while a core SM is drained, its calls
// ending slowly (20x), a second apply is refused by the lock naming the
// first; SIGINT stops the first with exit 4 and the SM back in service;
// --resume finishes the change, no node upgraded twice.
func TestSSHDInterruptDrainAndResume(t *testing.T) {
	t.Parallel()
	interruptAndResume(t, "drain", 20)
}

// TestSSHDInterruptUpgradeAndResume: SIGINT while a core SM's installer
// runs (5x). The installer is let finish; the SM, upgraded across lines but
// its data not restored yet, is the one node allowed to stay out of
// service, and --resume restores it and puts it back.
func TestSSHDInterruptUpgradeAndResume(t *testing.T) {
	t.Parallel()
	interruptAndResume(t, "upgrade", 5)
}

// interruptAndResume runs the binary against the sshd fleet and interrupts
// it once a core SM's phase started. System Manager goes through at the
// fast scale; the SMs' sessions then run at scale.
func interruptAndResume(t *testing.T, phase string, scale float64) {
	nodes := standardFleet()
	if phase == "drain" {
		nodes[1].calls, nodes[2].calls = 30, 30 // they end over 1 s × scale after Deny
	}
	f := startFleet(t, nodes, 0.2, "")
	before := f.snapshots(t)
	b := startApply(t, f, "--auto-approve")
	b.waitFor(t, "step_end", regexp.MustCompile(`^smgr/smgr/1/restore$`))
	f.setScale(t, scale)
	step := b.waitFor(t, "step_start", regexp.MustCompile(`^core/sm-(dal|chi)/1/`+phase+`$`))
	drained := strings.Split(step, "/")[1]
	b.until(t, func() bool { return f.node(t, drained).ServiceState == "denying" })
	t.Logf("interrupting during %s (%d active calls)", step, f.node(t, drained).ActiveCalls)

	stdout, stderr, code := f.apply(t, "--auto-approve")
	wantCode(t, code, 1, stdout, stderr, "apply (second, while locked)")
	if !strings.Contains(stderr, "locked by") || !strings.Contains(stderr, fmt.Sprint(b.cmd.Process.Pid)) {
		t.Errorf("the second apply does not name the lock holder (pid %d):\n%s", b.cmd.Process.Pid, stderr)
	}
	if s := f.node(t, drained); s.ServiceState != "denying" || (phase == "drain" && s.Count("upgrade") != 0) {
		t.Fatalf("%s is %s, %d upgrade(s), before the interrupt; want denying, not upgraded yet", drained, s.ServiceState, s.Count("upgrade"))
	}

	code, out := b.interrupt(t)
	if code != 4 {
		t.Fatalf("interrupted apply: exit %d, want 4:\n%s", code, tail(out, 3000))
	}
	if testing.Verbose() {
		t.Logf("interrupted run:\n%s", out)
	}
	for _, n := range f.nodes {
		s := f.node(t, n.name)
		t.Logf("after the interrupt: %s on %s, %s, %d upgrade(s), %d users", n.name, s.Release, s.ServiceState, s.Count("upgrade"), s.Users)
		switch {
		case s.ServiceState == "accepting":
		case phase == "upgrade" && n.name == drained && s.Count("upgrade") == 1 && s.Users != fleetUsers && strings.Contains(out, "left denying"):
			// Across lines the installer leaves the data empty until the
			// restore: putting the node back in service now would be unsafe.
		default:
			t.Errorf("%s left %s after the interrupt", n.name, s.ServiceState)
		}
	}

	f.setScale(t, 0.2)
	stdout, stderr, code = f.apply(t, "--resume", "--auto-approve")
	wantCode(t, code, 0, stdout, stderr, "apply --resume")
	for _, n := range f.nodes {
		s := f.node(t, n.name)
		if s.Release != fleetTarget || s.ServiceState != "accepting" || s.DataDigest != before[n.name].DataDigest {
			t.Errorf("%s after resume: %s, %s, digest kept %v", n.name, s.Release, s.ServiceState, s.DataDigest == before[n.name].DataDigest)
		}
		if c := s.Count("upgrade"); c != 1 {
			t.Errorf("%s upgraded %d times, want once", n.name, c)
		}
	}
	if len(f.runDirs("apply")) != 2 {
		t.Errorf("want the interrupted and the resumed run recorded, found %v", f.runDirs("apply"))
	}
}
