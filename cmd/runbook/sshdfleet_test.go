package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/sm/sim"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// A fleet over Debian's OpenSSH: one sshd per node on 127.0.0.1 whose
// ForceCommand is the simulator, reached by the CLI through the manifest's
// own connection block (key file, known_hosts, strict host keys), exactly as
// an operator's apply reaches real nodes.

var (
	smsimOnce sync.Once
	smsimBin  string
	smsimErr  error
)

// smsimPath builds cmd/smsim once, next to the runbook binary TestMain built
// (TestMain removes that folder at the end).
func smsimPath(t *testing.T) string {
	t.Helper()
	smsimOnce.Do(func() {
		smsimBin = filepath.Join(filepath.Dir(binPath), "smsim")
		out, err := exec.Command("go", "build", "-o", smsimBin, "github.com/runbook-dev/runbook/cmd/smsim").CombinedOutput()
		if err != nil {
			smsimErr = fmt.Errorf("go build smsim: %v\n%s", err, out)
		}
	})
	if smsimErr != nil {
		t.Fatal(smsimErr)
	}
	return smsimBin
}

// fleetNode is one node as the manifest declares it and as the simulator
// really holds it.
type fleetNode struct {
	name, kind, cluster, secondary string
	declared                       string // release in the manifest
	declaredSSP                    int    // -1: not declared
	real                           string // release the node is really on
	realSSP                        int
	calls                          int // active calls at the start
}

// standardFleet is System Manager and two core SMs on 10.1.3.0 (SSP 12),
// declared as they are.
func standardFleet() []fleetNode {
	return []fleetNode{
		{name: "smgr", kind: sim.KindSMGR, declared: "10.1.3.0", declaredSSP: -1, real: "10.1.3.0"},
		{name: "sm-dal", kind: sim.KindSM, cluster: "core", secondary: "sm-chi", declared: "10.1.3.0", declaredSSP: 12, real: "10.1.3.0", realSSP: 12},
		{name: "sm-chi", kind: sim.KindSM, cluster: "core", secondary: "sm-dal", declared: "10.1.3.0", declaredSSP: 12, real: "10.1.3.0", realSSP: 12},
	}
}

const (
	fleetTarget = "10.2.0.1"
	fleetChange = "CHG0042424"
	fleetUsers  = 100
)

// sshdFleet is a running fleet and the manifest that reaches it.
type sshdFleet struct {
	base       string // temporary folder holding everything below
	manifest   string // the manifest folder (upgrade.hcl, media/)
	records    string
	knownHosts string
	scaleFile  string // the simulators' time scale, read per session
	nodes      []fleetNode
	dirs       map[string]string // node → simulator state folder
	servers    map[string]*sshdtest.Server
	lines      map[string]string // node → its known_hosts line
}

// startFleet initialises the nodes, starts one sshd per node and writes the
// manifest. scale is the simulators' time scale; extra HCL is appended.
func startFleet(t *testing.T, nodes []fleetNode, scale float64, extra string) *sshdFleet {
	t.Helper()
	bin := smsimPath(t)
	base := t.TempDir()
	f := &sshdFleet{
		base: base, manifest: filepath.Join(base, "manifest"), records: filepath.Join(base, "records"),
		knownHosts: filepath.Join(base, "ssh", "known_hosts"), scaleFile: filepath.Join(base, "time-scale"),
		nodes: nodes, dirs: map[string]string{}, servers: map[string]*sshdtest.Server{}, lines: map[string]string{},
	}
	for _, d := range []string{filepath.Join(f.manifest, "media"), filepath.Dir(f.knownHosts)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	f.setScale(t, scale)
	key, signer := sshdtest.NewKey(t)
	keyFile := filepath.Join(base, "ssh", "id_ed25519")
	sshdtest.WritePrivateKey(t, keyFile, key, "")
	var user string
	var known []string
	for _, n := range nodes {
		dir := filepath.Join(base, "nodes", n.name)
		if err := sim.Init(dir, sim.Options{Node: n.name, Kind: n.kind, Release: n.real, SSP: n.realSSP, Users: fleetUsers, ActiveCalls: n.calls}); err != nil {
			t.Fatal(err)
		}
		f.dirs[n.name] = dir
		// The scale is read when each session starts, so a test can slow
		// the nodes down for one run and speed them up for the next.
		s := sshdtest.Start(t, sshdtest.Options{
			ForceCommand:   fmt.Sprintf(`exec %s serve --state %s --time-scale "$(cat %s)"`, bin, dir, f.scaleFile),
			AuthorizedKeys: []gossh.PublicKey{signer.PublicKey()},
		})
		f.servers[n.name], user = s, s.User
		f.lines[n.name] = s.KnownHostsLine()
		known = append(known, f.lines[n.name])
	}
	sshdtest.WriteKnownHosts(t, f.knownHosts, known...)
	smSum := f.media(t, "Session_Manager_10.2.0.1.0.bin", sim.Media{Kind: "release", Product: sim.KindSM, Release: fleetTarget})
	mgSum := f.media(t, "System_Manager_10.2.0.1.0.bin", sim.Media{Kind: "release", Product: sim.KindSMGR, Release: fleetTarget})
	src := fmt.Sprintf(fleetHead, fleetChange, fleetTarget, user, keyFile, f.knownHosts, filepath.Join(base, "backups"), smSum, mgSum)
	clusters := map[string][]string{}
	var order []string
	for _, n := range nodes {
		ssp := ""
		if n.declaredSSP >= 0 {
			ssp = fmt.Sprintf("\n    ssp       = %d", n.declaredSSP)
		}
		if n.kind == sim.KindSMGR {
			src += fmt.Sprintf("\nsystem_manager %q {\n  host     = \"127.0.0.1\"\n  port     = %d\n  release  = %q\n  platform = \"vmware\"\n}\n",
				n.name, f.servers[n.name].Port, n.declared)
			continue
		}
		if _, ok := clusters[n.cluster]; !ok {
			order = append(order, n.cluster)
		}
		clusters[n.cluster] = append(clusters[n.cluster], fmt.Sprintf(
			"  session_manager %q {\n    host      = \"127.0.0.1\"\n    port      = %d\n    release   = %q%s\n    platform  = \"vmware\"\n    secondary = %q\n  }\n",
			n.name, f.servers[n.name].Port, n.declared, ssp, n.secondary))
	}
	for _, c := range order {
		src += fmt.Sprintf("\ncluster %q {\n%s}\n", c, strings.Join(clusters[c], "\n"))
	}
	src += extra
	if err := os.WriteFile(filepath.Join(f.manifest, "upgrade.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// fleetHead is the manifest up to the nodes: no window (the change is run
// now), halt on failure, media with their checksums.
const fleetHead = `runbook "sshd-fleet" {
  change_id = %q
  target    = %q

  policy {
    max_active_calls = 0
    drain_timeout    = "1m"
    on_failure       = "halt"
  }
}

connection "default" {
  user             = %q
  private_key_file = %q
  known_hosts_file = %q
  host_key_check   = "strict"
  timeout          = "10s"
}

backup {
  store = %q
}

artifact "sm-10-2-0-1" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/Session_Manager_10.2.0.1.0.bin"
  sha256  = %q
}

artifact "smgr-10-2-0-1" {
  kind    = "release"
  product = "system_manager"
  release = "10.2.0.1"
  file    = "media/System_Manager_10.2.0.1.0.bin"
  sha256  = %q
}
`

// media writes a simulated installer into the manifest's media folder and
// returns its sha256.
func (f *sshdFleet) media(t *testing.T, name string, m sim.Media) string {
	t.Helper()
	sum, err := sim.WriteMedia(filepath.Join(f.manifest, "media", name), m)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// setScale changes the time scale the simulators use from their next session.
func (f *sshdFleet) setScale(t *testing.T, scale float64) {
	t.Helper()
	// Written aside and renamed: a session starting meanwhile reads the old
	// scale or the new one, never an empty file.
	tmp := f.scaleFile + ".new"
	if err := os.WriteFile(tmp, []byte(fmt.Sprint(scale)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, f.scaleFile); err != nil {
		t.Fatal(err)
	}
}

// node reads a node's simulated state.
func (f *sshdFleet) node(t *testing.T, name string) sim.Snapshot {
	t.Helper()
	s, err := sim.Show(f.dirs[name])
	if err != nil {
		t.Fatalf("node %s: %v", name, err)
	}
	return s
}

// snapshots reads every node.
func (f *sshdFleet) snapshots(t *testing.T) map[string]sim.Snapshot {
	t.Helper()
	out := map[string]sim.Snapshot{}
	for _, n := range f.nodes {
		out[n.name] = f.node(t, n.name)
	}
	return out
}

// assertUnchanged fails when a node differs from before in what a change
// would touch: release, SSP, service state, data, backups, history.
func (f *sshdFleet) assertUnchanged(t *testing.T, before map[string]sim.Snapshot) {
	t.Helper()
	for name, b := range before {
		a := f.node(t, name)
		if a.Release != b.Release || a.SSP != b.SSP || a.ServiceState != b.ServiceState || a.DataDigest != b.DataDigest ||
			a.Reboots != b.Reboots || len(a.Backups) != len(b.Backups) || len(a.History) != len(b.History) {
			t.Errorf("%s changed: release %s→%s, ssp %d→%d, %s→%s, digest same=%v, reboots %d→%d, backups %d→%d, history %d→%d %v",
				name, b.Release, a.Release, b.SSP, a.SSP, b.ServiceState, a.ServiceState, a.DataDigest == b.DataDigest,
				b.Reboots, a.Reboots, len(b.Backups), len(a.Backups), len(b.History), len(a.History), a.History)
		}
	}
}

// apply runs the CLI's apply in-process on the fleet with its records
// folder; args go before the manifest.
func (f *sshdFleet) apply(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	all := append([]string{"apply", "--no-color", "--records", f.records}, args...)
	return runCLI(t, f.base, append(all, f.manifest)...)
}

// runDirs lists the run folders of the change of a mode ("apply", "dry-run").
func (f *sshdFleet) runDirs(mode string) []string {
	dirs, _ := filepath.Glob(filepath.Join(f.records, fleetChange, "*-"+mode))
	return dirs
}

// bgApply is apply run by the built binary in the background, for signals.
type bgApply struct {
	f      *sshdFleet
	cmd    *exec.Cmd
	out    syncBuffer
	done   chan error
	exited bool
}

// startApply starts the binary's apply on the fleet; the process is killed
// at the end of the test if it is still running.
func startApply(t *testing.T, f *sshdFleet, args ...string) *bgApply {
	t.Helper()
	all := append([]string{"apply", "--no-color", "--records", f.records}, args...)
	b := &bgApply{f: f, cmd: exec.Command(binPath, append(all, f.manifest)...), done: make(chan error, 1)}
	b.cmd.Dir, b.cmd.Env = f.base, testEnv()
	b.cmd.Stdout, b.cmd.Stderr = &b.out, &b.out
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.done <- b.cmd.Wait() }()
	t.Cleanup(func() {
		if !b.exited {
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// until polls cond; the run ending first fails the test.
func (b *bgApply) until(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case err := <-b.done:
			b.exited = true
			t.Fatalf("apply ended (%v) before the awaited point:\n%s", err, tail(b.out.String(), 3000))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitFor waits for a journal event of typ whose step matches re and
// returns the step.
func (b *bgApply) waitFor(t *testing.T, typ string, re *regexp.Regexp) string {
	t.Helper()
	var step string
	b.until(t, func() bool { step = journalStep(b.f.records, typ, re); return step != "" })
	return step
}

// interrupt sends SIGINT and returns the exit code and the output.
func (b *bgApply) interrupt(t *testing.T) (int, string) {
	t.Helper()
	if err := b.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.done:
		b.exited = true
	case <-time.After(90 * time.Second):
		t.Fatalf("apply did not stop after SIGINT:\n%s", tail(b.out.String(), 3000))
	}
	return b.cmd.ProcessState.ExitCode(), b.out.String()
}

// journalStep returns the first step of an event type in the change's apply
// journals whose id matches re, or "".
func journalStep(records string, typ string, re *regexp.Regexp) string {
	files, _ := filepath.Glob(filepath.Join(records, "*", "*-apply", "journal.jsonl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(b), "\n") {
			var e struct{ Type, Step string }
			if json.Unmarshal([]byte(l), &e) == nil && e.Type == typ && re.MatchString(e.Step) {
				return e.Step
			}
		}
	}
	return ""
}
