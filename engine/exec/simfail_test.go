package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
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
	if ne.Node != "sm1" || ne.Step != "core/sm1/0/backup" { // the SSP pass backs up first
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
	if ne.Guard != guard.CallsActive || ne.Node != "sm1" {
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
// reinstalls the source release (the installer's rollback mode), restores
// the pre-upgrade archive; the node is verified on its source release and
// back in service with its data, and counted as rolled back.
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
	if !slices.Equal(acts, []string{"reinstall:ok", "restore:ok", "verify:ok", "undrain:ok"}) {
		t.Fatalf("actions %v", acts)
	}
	if s := f.state("sm1"); s.Release != f.cfg.NodeByName("sm1").Release {
		t.Fatalf("sm1 on %s after rollback, want its source release %s", s.Release, f.cfg.NodeByName("sm1").Release)
	}
	if !slices.Contains(res.RolledBack, "sm1") {
		t.Fatalf("sm1 not counted as rolled back: %+v", res.RolledBack)
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

// runUntilKill runs (resuming from resume when given) until the step
// killStep ends, then "kills" the controller there: nothing more reaches a
// node or the journal, whose last line is torn. It returns the journal read
// back as --resume reads it.
func runUntilKill(t *testing.T, f *fleet, resume []record.Event, killStep string) []record.Event {
	t.Helper()
	dir := t.TempDir()
	jr, err := record.OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	z := &freezer{inner: f.dialer()}
	o := simOptions(z, jr)
	o.Resume = resume
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
	return events
}

// killAndResume kills the run after killStep, then resumes it to the end.
func killAndResume(t *testing.T, f *fleet, killStep string) (*Result, error, *memJournal) {
	t.Helper()
	events := runUntilKill(t, f, nil, killStep)
	j2 := &memJournal{}
	o2 := simOptions(f.dialer(), j2)
	o2.Resume = events
	res, err := New(o2).Run(context.Background(), f.p, f.cfg)
	return res, err, j2
}

// A resume killed in turn, resumed from its own journal only: the backup
// and the facts before the hop it needs were carried into that journal.
func TestSimResumeOfAResume(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	ev1 := runUntilKill(t, f, nil, "core/sm1/1/upgrade")
	ev2 := runUntilKill(t, f, ev1, "core/sm1/1/restore")
	o := simOptions(f.dialer(), &memJournal{})
	o.Resume = ev2
	if _, err := New(o).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("second resume: %v", err)
	}
	f.assertUpgraded(before)
	if k := f.count("sm1", "restore"); k != 1 {
		t.Fatalf("sm1 restored %d times", k)
	}
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
	if !errors.As(err, &ne) || ne.Guard != guard.ArtifactChecksum {
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

// Ctrl-C during sm1's upgrade: the installer finishes (a half-installed node
// is the one outcome to avoid), the walk stops, the node — upgraded across
// lines but not yet restored, so not healthy — stays out of service, and
// --resume finishes it without a second upgrade.
func TestSimInterruptDuringUpgradeLetsItFinish(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	dir := t.TempDir()
	jr, err := record.OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := simOptions(f.dialer(), jr)
	ctx, cancel := context.WithCancel(context.Background())
	o.Observer = ObserverFunc(func(e record.Event) {
		if e.Type == record.EventStepStart && e.Step == "core/sm1/1/upgrade" {
			cancel()
		}
	})
	res, err := New(o).Run(ctx, f.p, f.cfg)
	jr.Close()
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v", err)
	}
	if res.Steps["core/sm1/1/upgrade"] != StatusOK || f.state("sm1").Release != "10.2.0.1" {
		t.Fatalf("upgrade %q, release %s", res.Steps["core/sm1/1/upgrade"], f.state("sm1").Release)
	}
	if f.state("sm1").ServiceState != sm.StateDenying {
		t.Fatal("sm1 without its data was put back in service")
	}
	events, err := record.ReadJournal(filepath.Join(dir, record.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	o2 := simOptions(f.dialer(), &memJournal{})
	o2.Resume = events
	if _, err := New(o2).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("resume: %v", err)
	}
	f.assertUpgraded(before)
}

// A journal that lost the pre-upgrade backup of a hop already under way:
// resume refuses to back up the changed node (its restore would put the
// wrong data back) instead of guessing.
func TestSimResumeRefusesBackupOfAChangedNode(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	events := runUntilKill(t, f, nil, "core/sm1/1/upgrade")
	backups := f.count("sm1", "backup")
	var kept []record.Event
	for _, e := range events {
		if e.Step != "core/sm1/1/backup" {
			kept = append(kept, e)
		}
	}
	o := simOptions(f.dialer(), &memJournal{})
	o.Resume = kept
	_, err := New(o).Run(context.Background(), f.p, f.cfg)
	var ne *NodeError
	if !errors.As(err, &ne) || ne.Step != "core/sm1/1/backup" {
		t.Fatalf("err = %v", err)
	}
	if k := f.count("sm1", "backup"); k != backups {
		t.Fatalf("sm1 backed up %d times, %d before the resume", k, backups)
	}
	if k := f.count("sm1", "restore"); k != 0 {
		t.Fatalf("sm1 restored %d times", k)
	}
}

// A resume killed before it reached the hop in progress: its journal still
// carries the backup and the facts from before the hop, so a third run,
// given that journal only, finishes the node with one backup and one restore.
func TestSimResumeKilledEarlyCarriesTheBackup(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	ev1 := runUntilKill(t, f, nil, "core/sm1/1/upgrade")
	ev2 := runUntilKill(t, f, ev1, "core/sm1/0/precheck")
	o := simOptions(f.dialer(), &memJournal{})
	o.Resume = ev2
	if _, err := New(o).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("third run: %v", err)
	}
	f.assertUpgraded(before)
	units := 0 // one backup per unit: the SSP pass and the hop
	for _, s := range f.p.Steps {
		if s.Node == "sm1" && s.Phase == plan.PhaseBackup {
			units++
		}
	}
	if b, r := f.count("sm1", "backup"), f.count("sm1", "restore"); b != units || r != 1 {
		t.Fatalf("sm1: %d backups (want %d), %d restores", b, units, r)
	}
}
