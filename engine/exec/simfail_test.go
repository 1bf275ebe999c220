package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// Failure scenarios against the in-process simulator (sim.LocalConn): each
// asserts the node's state as the simulator holds it, and the journal.

func (f *fleet) fault(node, phase, kind string, count int) {
	f.t.Helper()
	if err := sim.SetFault(f.dirs[node], phase, kind, count); err != nil {
		f.t.Fatal(err)
	}
}

// noneDenying asserts no node is left denying new service.
func (f *fleet) noneDenying() {
	f.t.Helper()
	for name := range f.dirs {
		if s := f.state(name); s.ServiceState != sm.StateAccepting {
			f.t.Errorf("%s left %s", name, s.ServiceState)
		}
	}
}

func runHalted(t *testing.T, f *fleet, o Options) (*Result, *NodeError) {
	t.Helper()
	res, err := New(o).Run(context.Background(), f.p, f.cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v, want ErrHalted", err)
	}
	nes := nodeErrors(t, err)
	if len(nes) != 1 {
		t.Fatalf("errors = %v, want one root cause", nes)
	}
	return res, nes[0]
}

func TestSimBackupFailureHaltsWithNodeUnchanged(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	f.fault("sm1", "backup", "fail", 0)
	o, _ := f.localOptions(&memJournal{})
	res, ne := runHalted(t, f, o)
	if ne.Node != "sm1" || ne.Step != "core/sm1/1/backup" {
		t.Fatalf("root cause %+v", ne)
	}
	if s := f.state("sm1"); s.Release != "8.1.3.8" || f.count("sm1", "upgrade") != 0 {
		t.Fatalf("sm1 changed: %s", s.Release)
	}
	f.noneDenying()
	if !slices.Contains(res.Failed, "sm1") {
		t.Fatalf("failed %v", res.Failed)
	}
}

func TestSimRebootMidUpgradeCompletes(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	f.fault("sm2", "upgrade", "disconnect", 1)
	o, d := f.localOptions(&memJournal{})
	if _, err := New(o).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatal(err)
	}
	f.assertUpgraded(before)
	if d.dials["sm2"] < 2 {
		t.Fatalf("sm2 never redialled")
	}
}

func TestSimCallsThatCannotDrain(t *testing.T) {
	f := newFleet(t, "50ms", "halt", "")
	f.scale = 10 // calls take 10 s to end: far beyond the 50 ms drain_timeout
	if err := sim.Update(f.dirs["sm1"], func(s *sim.State) error { s.Calls = 40; return nil }); err != nil {
		t.Fatal(err)
	}
	j := &memJournal{}
	o, _ := f.localOptions(j)
	_, ne := runHalted(t, f, o)
	if ne.Guard != GuardCallsActive || ne.Node != "sm1" {
		t.Fatalf("root cause %+v", ne)
	}
	if f.count("sm1", "ssp") != 0 || f.count("sm1", "upgrade") != 0 {
		t.Fatal("sm1 was changed with calls up")
	}
	f.noneDenying()
	if f.count("sm1", "accept") == 0 {
		t.Fatal("sm1 was never put back in service")
	}
}

func TestSimUserGuardRefusesANode(t *testing.T) {
	f := newFleet(t, "1m", "halt", `
guard "small-branch" {
  phase     = "drain"
  condition = node.kind != "branch_session_manager" || facts.users < 10
  message   = "${node.name} has ${facts.users} users"
}`)
	o, _ := f.localOptions(&memJournal{})
	_, ne := runHalted(t, f, o)
	if ne.Guard != "small-branch" || ne.Node != "bsm1" || ne.Err.Error() != "bsm1 has 20 users" {
		t.Fatalf("root cause %+v (%v)", ne, ne.Err)
	}
	if s := f.state("bsm1"); s.ServiceState != sm.StateAccepting || s.SSP != 30 {
		t.Fatalf("bsm1 touched: %s ssp %d", s.ServiceState, s.SSP)
	}
}

// The hop's verify fails on sm1 (after its upgrade and restore): rollback
// restores the pre-upgrade archive; the node is verified and back in service
// with its data. The simulator's installer refuses to install an older
// release, so the release itself stays on the target: the rollback is
// recorded as failed at verify.release and the node is not counted as
// rolled back.
func TestSimRollbackAfterFailedVerify(t *testing.T) {
	f := newFleet(t, "1m", "rollback", "")
	before := f.digests()
	j := &memJournal{}
	o, _ := f.localOptions(j)
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Step == "core/sm1/1/restore" && e.Status == StatusOK {
			f.fault("sm1", "verify", "fail", 1)
		}
	})
	res, ne := runHalted(t, f, o)
	if ne.Step != "core/sm1/1/verify" {
		t.Fatalf("root cause %+v", ne)
	}
	if d := f.digest("sm1"); d != before["sm1"] {
		t.Fatalf("sm1 data lost: %s != %s", d, before["sm1"])
	}
	if f.count("sm1", "restore") != 2 {
		t.Fatalf("sm1 restores: %d", f.count("sm1", "restore"))
	}
	f.noneDenying()
	if len(j.find(record.EventRollback, "")) != len(res.Rollback) {
		t.Fatal("rollback actions not journalled")
	}
	var acts []string
	for _, a := range res.Rollback {
		acts = append(acts, a.Action+":"+a.Status)
	}
	if !slices.Equal(acts, []string{"reinstall:failed", "restore:ok", "verify:failed", "undrain:ok"}) {
		t.Fatalf("actions %v", acts)
	}
}

// freezer wraps a dialer: once frozen, every connection fails, as if the
// controller had been killed (nothing more reaches any node).
type freezer struct {
	inner  modules.Dialer
	frozen atomic.Bool
}

func (z *freezer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	if z.frozen.Load() {
		return nil, errors.New("controller gone")
	}
	c, err := z.inner.Dial(ctx, t)
	if err != nil {
		return nil, err
	}
	return frozenConn{c, z}, nil
}

type frozenConn struct {
	modules.Conn
	z *freezer
}

func (c frozenConn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	if c.z.frozen.Load() {
		return modules.Result{}, errors.New("controller gone")
	}
	return c.Conn.Run(ctx, cmd)
}

// killAndResume runs until the step killStep ends, "kills" the controller
// there (no cleanup reaches a node, the journal ends in a torn line), then
// resumes from the journal file.
func killAndResume(t *testing.T, f *fleet, killStep string) (*Result, error, *memJournal) {
	t.Helper()
	dir := t.TempDir()
	jr, err := record.OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	z := &freezer{inner: f.dialer()}
	o := simOptions(z, jr)
	o.Limits.ReconnectTries = 2 // the controller is gone: do not wait for it
	ctx, cancel := context.WithCancel(context.Background())
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepEnd && e.Step == killStep && !z.frozen.Load() {
			z.frozen.Store(true)
			jr.Close() // nothing after this point reaches the journal
			cancel()
		}
	})
	New(o).Run(ctx, f.p, f.cfg)
	if !z.frozen.Load() {
		t.Fatalf("never reached %s", killStep)
	}
	path := filepath.Join(dir, record.JournalFile)
	fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	fh.WriteString(`{"type":"step_start","step":"core/sm1/1/ve`)
	fh.Close()
	events, err := record.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	j2 := &memJournal{}
	o2 := simOptions(f.dialer(), j2)
	o2.Resume = events
	res, err := New(o2).Run(context.Background(), f.p, f.cfg)
	return res, err, j2
}

func TestSimKillMidRunThenResume(t *testing.T) {
	for _, kill := range []string{"core/sm1/1/upgrade", "core/sm1/1/restore", "core/sm2/0/ssp"} {
		t.Run(filepath.Base(filepath.Dir(kill))+"-"+filepath.Base(kill), func(t *testing.T) {
			f := newFleet(t, "1m", "halt", "")
			before := f.digests()
			res, err, _ := killAndResume(t, f, kill)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			f.assertUpgraded(before)
			for name := range f.dirs {
				if k := f.count(name, "ssp"); name != "smgr" && k != 1 {
					t.Errorf("%s SSP installed %d times", name, k)
				}
			}
			if len(res.Succeeded) != 4 {
				t.Errorf("succeeded %v", res.Succeeded)
			}
		})
	}
}

// A medium whose sha256 is not the declared one refuses the apply before
// anything changes.
func TestSimArtifactChecksumRefusesApply(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	for _, s := range f.p.Steps {
		if s.Phase == "upload" && s.Node == "sm1" {
			if err := os.WriteFile(s.Args["local"], []byte("damaged"), 0o600); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	o, _ := f.localOptions(&memJournal{})
	res, err := New(o).Run(context.Background(), f.p, f.cfg)
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("err = %v", err)
	}
	var ne *NodeError
	if !errors.As(err, &ne) || ne.Guard != GuardArtifactChecksum {
		t.Fatalf("err = %v", err)
	}
	for name := range f.dirs {
		if len(f.state(name).History) != 0 {
			t.Errorf("%s changed", name)
		}
	}
	if res.Steps["smgr/smgr/1/precheck"] != StatusNotRun {
		t.Errorf("steps ran: %v", res.Steps)
	}
}
