package exec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
	"github.com/runbook-dev/runbook/modules/ssh"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
	gossh "golang.org/x/crypto/ssh"
)

// End-to-end over real OpenSSH: one Debian sshd per node on 127.0.0.1, each
// with ForceCommand "smsim serve --state DIR", reached through the manifest's
// connection block (key, known_hosts, strict host keys) by modules/ssh.

var (
	binDir     string
	smsimOnce  sync.Once
	smsimPath  string
	smsimBuild error
)

func TestMain(m *testing.M) {
	var err error
	binDir, err = os.MkdirTemp("", "runbook-exec-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// smsim builds cmd/smsim once, on first use, into the test binary folder.
func smsim(t *testing.T) string {
	t.Helper()
	smsimOnce.Do(func() {
		smsimPath = filepath.Join(binDir, "smsim")
		cmd := exec.Command("go", "build", "-o", smsimPath, "github.com/runbook-dev/runbook/cmd/smsim")
		if out, err := cmd.CombinedOutput(); err != nil {
			smsimBuild = fmt.Errorf("go build smsim: %v\n%s", err, out)
		}
	})
	if smsimBuild != nil {
		t.Fatal(smsimBuild)
	}
	return smsimPath
}

// sshFleet starts one sshd per node and plans the fleet against them.
func sshFleet(t *testing.T, drainTimeout, onFailure, extra string) (*fleet, map[string]*sshdtest.Server) {
	t.Helper()
	return sshFleetScaled(t, 0.2, drainTimeout, onFailure, extra)
}

// sshFleetScaled runs the simulators at time scale scale.
func sshFleetScaled(t *testing.T, scale float64, drainTimeout, onFailure, extra string) (*fleet, map[string]*sshdtest.Server) {
	t.Helper()
	bin := smsim(t)
	servers := map[string]*sshdtest.Server{}
	key, signer := sshdtest.NewKey(t)
	keyDir := t.TempDir()
	keyFile := filepath.Join(keyDir, "id_ed25519")
	sshdtest.WritePrivateKey(t, keyFile, key, "")
	start := func(dirs map[string]string) (string, map[string]int) {
		ports := map[string]int{}
		var known []string
		var user string
		for name, dir := range dirs {
			s := sshdtest.Start(t, sshdtest.Options{
				ForceCommand:   fmt.Sprintf("%s serve --state %s --time-scale %g", bin, dir, scale),
				AuthorizedKeys: []gossh.PublicKey{signer.PublicKey()},
			})
			servers[name], ports[name], user = s, s.Port, s.User
			known = append(known, s.KnownHostsLine())
		}
		kh := filepath.Join(keyDir, "known_hosts")
		sshdtest.WriteKnownHosts(t, kh, known...)
		conn := fmt.Sprintf("  user = %q\n  private_key_file = %q\n  known_hosts_file = %q\n  host_key_check = \"strict\"\n  timeout = \"10s\"", user, keyFile, kh)
		return conn, ports
	}
	f := newFleetWith(t, drainTimeout, onFailure, extra, "", nil, start)
	return f, servers
}

func (f *fleet) sshOptions(j Journal) (Options, *countingDialer) {
	d := &countingDialer{inner: ssh.NewDialer(ssh.Options{NoAgent: true}), dials: map[string]int{}}
	o := simOptions(d, j)
	o.ConnectionLost = nil // ssh.ErrConnectionLost is recognised by default
	return o, d
}

func TestE2EFleetUpgradeOverSSH(t *testing.T) {
	f, servers := sshFleet(t, "1m", "halt", "")
	before := f.digests()
	dir := t.TempDir()
	o, d := f.sshOptions(nil)
	rec, err := record.Start(record.StartOptions{Root: dir, ChangeID: "CHG1", Mode: record.ModeApply, Plan: f.p})
	if err != nil {
		t.Fatal(err)
	}
	o.Recorder = rec
	res, err := New(o).Run(context.Background(), f.p, f.cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	f.assertUpgraded(before)
	for name, s := range servers {
		reboots := f.state(name).Reboots
		t.Logf("%s: %d SSH connection(s) accepted by sshd, %d reboot(s)", name, s.Accepted(), reboots)
		if d.dials[name] != 1+reboots {
			t.Errorf("%s: %d connections, want 1 + %d reboots", name, d.dials[name], reboots)
		}
		if s.Accepted() != d.dials[name] {
			t.Errorf("%s: sshd accepted %d connections, the executor dialled %d", name, s.Accepted(), d.dials[name])
		}
	}
	if len(res.Succeeded) != 4 {
		t.Errorf("succeeded %v", res.Succeeded)
	}
	events, err := record.ReadJournal(filepath.Join(rec.Dir(), record.JournalFile))
	if err != nil || len(events) == 0 || events[len(events)-1].Type != record.EventRunEnd || events[len(events)-1].Status != record.RunSucceeded {
		t.Fatalf("journal: %d events, %v", len(events), err)
	}
	if got := len(record.CompletedSteps(events)); got != len(f.p.Steps) {
		t.Errorf("journal completes %d of %d steps", got, len(f.p.Steps))
	}
	run, _, err := record.Load(rec.Dir())
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if run.Status != record.RunSucceeded || len(run.Steps) != len(f.p.Steps) {
		t.Fatalf("record: status %s, %d steps", run.Status, len(run.Steps))
	}
	for _, s := range run.Steps {
		if s.Status != record.StepOK {
			t.Errorf("record: step %s %s", s.ID, s.Status)
		}
	}
	for _, n := range []string{record.RecordJSON, record.RecordMD, record.PlanFile} {
		if _, err := os.Stat(filepath.Join(rec.Dir(), n)); err != nil {
			t.Errorf("record file: %v", err)
		}
	}
}

func TestE2EFailuresOverSSH(t *testing.T) {
	t.Run("backup fails", func(t *testing.T) {
		f, _ := sshFleet(t, "1m", "halt", "")
		f.fault("sm1", "backup", "fail", 0)
		o, _ := f.sshOptions(&memJournal{})
		_, ne := runHalted(t, f, o)
		if ne.Step != "core/sm1/0/backup" || f.count("sm1", "upgrade") != 0 {
			t.Fatalf("root cause %+v", ne)
		}
		f.noneDenying()
	})
	t.Run("reboot mid-upgrade", func(t *testing.T) {
		f, _ := sshFleet(t, "1m", "halt", "")
		before := f.digests()
		f.fault("sm2", "upgrade", "disconnect", 1)
		o, _ := f.sshOptions(&memJournal{})
		if _, err := New(o).Run(context.Background(), f.p, f.cfg); err != nil {
			t.Fatal(err)
		}
		f.assertUpgraded(before)
	})
	t.Run("calls cannot drain", func(t *testing.T) {
		f, _ := sshFleetScaled(t, 10, "50ms", "halt", "") // calls take 10 s to end
		sim.Update(f.dirs["sm1"], func(s *sim.State) error { s.Calls = 40; return nil })
		o, _ := f.sshOptions(&memJournal{})
		_, ne := runHalted(t, f, o)
		if ne.Guard != guard.CallsActive || ne.Node != "sm1" || f.count("sm1", "ssp") != 0 {
			t.Fatalf("root cause %+v", ne)
		}
		f.noneDenying()
	})
	t.Run("user guard", func(t *testing.T) {
		f, _ := sshFleet(t, "1m", "halt", `
guard "small-branch" {
  phase     = "drain"
  condition = node.kind != "branch_session_manager" || facts.users < 10
  message   = "${node.name} has ${facts.users} users"
}`)
		o, _ := f.sshOptions(&memJournal{})
		_, ne := runHalted(t, f, o)
		if ne.Guard != "small-branch" || ne.Node != "bsm1" {
			t.Fatalf("root cause %+v", ne)
		}
		if s := f.state("bsm1"); s.ServiceState != sm.StateAccepting || s.SSP != 30 {
			t.Fatalf("bsm1 touched")
		}
	})
	t.Run("rollback after failed verify", func(t *testing.T) {
		f, _ := sshFleet(t, "1m", "rollback", "")
		before := f.digests()
		o, _ := f.sshOptions(&memJournal{})
		o.Observer = ObserverFunc(func(e record.Event) {
			if e.Type == record.EventStepEnd && e.Step == "core/sm1/1/restore" && e.Status == StatusOK {
				f.fault("sm1", "verify", "fail", 1)
			}
		})
		res, ne := runHalted(t, f, o)
		if ne.Step != "core/sm1/1/verify" || f.digest("sm1") != before["sm1"] || len(res.Rollback) == 0 {
			t.Fatalf("root cause %+v, rollback %+v", ne, res.Rollback)
		}
		if s, want := f.state("sm1"), f.cfg.NodeByName("sm1").Release; s.Release != want || !slices.Contains(res.RolledBack, "sm1") {
			t.Fatalf("sm1 on %s after rollback (want its source %s), rolled back %v", s.Release, want, res.RolledBack)
		}
		f.noneDenying()
	})
}

// kill -9 mid-run over SSH, then --resume from the journal: every node ends
// at its target once, none upgraded twice (the simulator's history says).
func TestE2EKillThenResumeOverSSH(t *testing.T) {
	f, _ := sshFleet(t, "1m", "halt", "")
	before := f.digests()
	path := f.killAfter(t, func(e record.Event) bool { return e.Step == "core/sm2/1/upgrade" })
	fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	fh.WriteString(`{"type":"command","node":"sm2","comm`)
	fh.Close()
	events, err := record.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	o2, _ := f.sshOptions(&memJournal{})
	o2.Resume = events
	if _, err := New(o2).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("resume: %v", err)
	}
	f.assertUpgraded(before)
}

// killAfter runs the fleet's plan over SSH and, as kill -9 would, freezes
// every connection and closes the journal once a step_end event matches
// ended; it returns the journal's path for a --resume.
func (f *fleet) killAfter(t *testing.T, ended func(record.Event) bool) string {
	t.Helper()
	dir := t.TempDir()
	jr, err := record.OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	z := &freezer{inner: ssh.NewDialer(ssh.Options{NoAgent: true})}
	o, _ := f.sshOptions(jr)
	o.Dialer = z
	o.Limits.ReconnectTries = 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && ended(e) && !z.frozen.Load() {
			z.frozen.Store(true)
			jr.Close()
			cancel()
		}
	})
	New(o).Run(ctx, f.p, f.cfg)
	if !z.frozen.Load() {
		t.Fatal("never reached the kill point")
	}
	return filepath.Join(dir, record.JournalFile)
}
