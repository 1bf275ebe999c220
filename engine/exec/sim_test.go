package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// fleet is a manifest's nodes as simulator state directories, planned by
// the real planner and run with the real sm.* modules.
type fleet struct {
	// scale is the simulator's time scale: short by default; long where a
	// test needs something to outlast a timeout.
	scale float64
	t     *testing.T
	root  string
	dirs  map[string]string
	p     *plan.Plan
	cfg   *eval.Config
}

type simNode struct {
	name, kind, release string
	ssp, users, calls   int
}

// standardNodes: SMGR 10.1.3.0 and a core cluster (2 SMs + 1 BSM on 8.1.3.8
// with an old SSP), all to 10.2.0.1.
var standardNodes = []simNode{
	{"smgr", sim.KindSMGR, "10.1.3.0", 0, 50, 0},
	{"sm1", sim.KindSM, "8.1.3.8", 30, 200, 0},
	{"sm2", sim.KindSM, "8.1.3.8", 30, 200, 0},
	{"bsm1", sim.KindBSM, "8.1.3.8", 30, 20, 0},
}

const fleetManifest = `
runbook "core" {
  change_id = "CHG1"
  target    = "10.2.0.1"
  policy {
    drain_timeout = "%s"
    on_failure    = "%s"
  }
}
connection "default" {
%s
}
backup {
  store = %q
}
artifact "sm" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = %q
  sha256  = %q
}
artifact "smgr" {
  kind    = "release"
  product = "system_manager"
  release = "10.2.0.1"
  file    = %q
  sha256  = %q
}
artifact "ssp" {
  kind    = "ssp"
  product = "session_manager"
  release = "8.1.3.8"
  file    = %q
  sha256  = %q
}
artifact "sm-8" {
  kind    = "release"
  product = "session_manager"
  release = "8.1.3.8"
  file    = %q
  sha256  = %q
}
artifact "smgr-10-1" {
  kind    = "release"
  product = "system_manager"
  release = "10.1.3.0"
  file    = %q
  sha256  = %q
}
system_manager "smgr" {
  host    = "127.0.0.1"%s
  release = "10.1.3.0"
}
cluster "core" {
  session_manager "sm1" {
    host      = "127.0.0.1"%s
    release   = "8.1.3.8"
    ssp       = 30
    secondary = "sm2"
  }
  session_manager "sm2" {
    host      = "127.0.0.1"%s
    release   = "8.1.3.8"
    ssp       = 30
    secondary = "sm1"
  }
  branch_session_manager "bsm1" {
    host    = "127.0.0.1"%s
    release = "8.1.3.8"
    ssp     = 30
  }
}
%s
`

// newFleet initialises the nodes and plans the manifest. extra is appended
// to the manifest (guard blocks); policy sets drain_timeout and on_failure.
func newFleet(t *testing.T, drainTimeout, onFailure, extra string) *fleet {
	t.Helper()
	return newFleetWith(t, drainTimeout, onFailure, extra, `  user = "cust"`, nil, nil)
}

// newFleetWith also takes the connection block's body, each node's SSH port,
// and start, called with the state directories once the nodes exist (to
// start their servers) and returning the ports.
func newFleetWith(t *testing.T, drainTimeout, onFailure, extra, conn string, ports map[string]int, start func(dirs map[string]string) (string, map[string]int)) *fleet {
	t.Helper()
	f := &fleet{t: t, root: t.TempDir(), dirs: map[string]string{}, scale: 0.2}
	for _, n := range standardNodes {
		dir := filepath.Join(f.root, "nodes", n.name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := sim.Init(dir, sim.Options{Node: n.name, Kind: n.kind, Release: n.release, SSP: n.ssp, Users: n.users, ActiveCalls: n.calls}); err != nil {
			t.Fatal(err)
		}
		f.dirs[n.name] = dir
	}
	media := func(name string, m sim.Media) (string, string) {
		p := filepath.Join(f.root, "media", name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		sum, err := sim.WriteMedia(p, m)
		if err != nil {
			t.Fatal(err)
		}
		return p, sum
	}
	smP, smS := media("sm.bin", sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	mgP, mgS := media("smgr.bin", sim.Media{Kind: "release", Product: sim.KindSMGR, Release: "10.2.0.1"})
	spP, spS := media("ssp.bin", sim.Media{Kind: "ssp", Product: sim.KindSM, Release: "8.1.3.8", SSP: 41})
	s8P, s8S := media("sm8.bin", sim.Media{Kind: "release", Product: sim.KindSM, Release: "8.1.3.8"})
	m1P, m1S := media("smgr10-1.bin", sim.Media{Kind: "release", Product: sim.KindSMGR, Release: "10.1.3.0"})
	if start != nil {
		conn, ports = start(f.dirs)
	}
	if ports == nil {
		// In-process nodes are reached by name, whatever the port; distinct
		// ports keep the nodes distinct addresses, as a manifest requires.
		ports = map[string]int{"smgr": 2201, "sm1": 2202, "sm2": 2203, "bsm1": 2204}
	}
	port := func(n string) string {
		if p, ok := ports[n]; ok {
			return fmt.Sprintf("\n    port = %d", p)
		}
		return ""
	}
	src := fmt.Sprintf(fleetManifest, drainTimeout, onFailure, conn, filepath.Join(f.root, "backups"),
		smP, smS, mgP, mgS, spP, spS, s8P, s8S, m1P, m1S, port("smgr"), port("sm1"), port("sm2"), port("bsm1"), extra)
	cfg, diags := eval.Load(eval.LoadOptions{Files: map[string][]byte{"upgrade.hcl": []byte(src)}})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	p, diags := plan.Compile(cfg, nil, plan.Options{})
	if diags.HasErrors() {
		t.Fatalf("plan: %v", diags)
	}
	f.p, f.cfg = p, cfg
	return f
}

// countingDialer counts dials per node.
type countingDialer struct {
	inner modules.Dialer
	mu    sync.Mutex
	dials map[string]int
}

func (d *countingDialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	d.mu.Lock()
	d.dials[t.Node]++
	d.mu.Unlock()
	return d.inner.Dial(ctx, t)
}

func simOptions(dialer modules.Dialer, j Journal) Options {
	return Options{Dialer: dialer, Driver: &testDriver{}, Journal: j,
		ConnectionLost: func(err error) bool { return errors.Is(err, sim.ErrConnectionLost) },
		Limits: Limits{Poll: 20 * time.Millisecond, ServicesTimeout: 20 * time.Second,
			ReconnectInitial: 20 * time.Millisecond, ReconnectMax: 200 * time.Millisecond, ReconnectTries: 20}}
}

func (f *fleet) localOptions(j Journal) (Options, *countingDialer) {
	d := &countingDialer{inner: f.dialer(), dials: map[string]int{}}
	return simOptions(d, j), d
}

func (f *fleet) state(node string) *sim.State {
	f.t.Helper()
	s, err := sim.Load(f.dirs[node])
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *fleet) digest(node string) string {
	d, err := sim.Digest(f.dirs[node])
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fleet) digests() map[string]string {
	out := map[string]string{}
	for n := range f.dirs {
		out[n] = f.digest(n)
	}
	return out
}

func (f *fleet) count(node, action string) int {
	n := 0
	for _, e := range f.state(node).History {
		if e.Action == action {
			n++
		}
	}
	return n
}

// assertUpgraded checks every node is at 10.2.0.1, accepting, with its data.
func (f *fleet) assertUpgraded(before map[string]string) {
	f.t.Helper()
	for name := range f.dirs {
		s := f.state(name)
		if s.Release != "10.2.0.1" || s.ServiceState != sm.StateAccepting {
			f.t.Errorf("%s: release %s, %s", name, s.Release, s.ServiceState)
		}
		if d := f.digest(name); d != before[name] {
			f.t.Errorf("%s: data digest %s, was %s", name, d, before[name])
		}
		if k := f.count(name, "upgrade"); k != 1 {
			f.t.Errorf("%s upgraded %d times", name, k)
		}
	}
}

func TestSimFleetUpgrade(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	j := &memJournal{}
	o, d := f.localOptions(j)
	res, err := New(o).Run(context.Background(), f.p, f.cfg)
	if err != nil {
		for _, e := range j.all() {
			if e.Type == "step_end" && e.Status != "ok" || e.Type == "guard" && e.Verdict == "fail" {
				t.Logf("%s %s %s %s", e.Type, e.Step, e.Guard, e.Message)
			}
		}
		t.Fatalf("Run: %v", err)
	}
	f.assertUpgraded(before)
	for name, n := range d.dials {
		// The SSP pass and the upgrade reboot the node: one dial at the start
		// and one per reboot, never one per command.
		if want := 1 + f.state(name).Reboots; n != want {
			t.Errorf("%s dialled %d times, want %d (1 + %d reboots)", name, n, want, f.state(name).Reboots)
		}
	}
	if len(res.Succeeded) != 4 {
		t.Errorf("succeeded %v", res.Succeeded)
	}
	if s := f.state("sm1"); s.SSP != 0 || s.DroppedCalls != 0 {
		t.Errorf("sm1: ssp %d dropped calls %d", s.SSP, s.DroppedCalls)
	}
	var ssp int
	for _, e := range f.state("sm1").History {
		if e.Action == "ssp" {
			ssp++
		}
	}
	if ssp != 1 {
		t.Errorf("sm1 SSP installs: %d", ssp)
	}
	_ = strings.TrimSpace
}

func (f *fleet) dialer() sim.LocalDialer {
	return sim.LocalDialer{Dirs: f.dirs, Env: sim.Env{TimeScale: f.scale}}
}

// Dry-run through the real gate (modules/dryrun): facts are read, nothing
// changes on any node, and the held-back changes are the plan's.
func TestSimDryRunChangesNothing(t *testing.T) {
	for _, mode := range []string{"online", "offline", "offline-dialer"} {
		t.Run(mode, func(t *testing.T) {
			f := newFleet(t, "1m", "halt", "")
			j := &memJournal{}
			o, d := f.localOptions(j)
			offline := mode != "online"
			o.DryRun, o.Offline = true, mode == "offline"
			if mode == "offline-dialer" {
				// The gate's own offline dialer and a gatherer of declared
				// facts: what a CLI may pass instead of Offline.
				o.Dialer = dryrun.NewDialer(nil, nil)
				drv(o).gather = func(_ context.Context, c modules.Conn, kind string) (sm.Facts, error) {
					n := f.cfg.NodeByName(c.(interface{ Node() string }).Node())
					return sm.Facts{Release: n.Release, SSP: n.SSP}, nil
				}
			}
			res, err := New(o).Run(context.Background(), f.p, f.cfg)
			if err != nil {
				t.Fatalf("dry-run: %v", err)
			}
			for name := range f.dirs {
				s := f.state(name)
				if len(s.History) != 0 || s.ServiceState != sm.StateAccepting {
					t.Errorf("%s changed: %+v", name, s.History)
				}
			}
			if offline && len(d.dials) != 0 {
				t.Errorf("offline dry-run dialled %v", d.dials)
			}
			var shown int
			for _, e := range j.find("command", "") {
				if e.Status == "skipped" {
					shown++
				}
			}
			if shown == 0 || len(res.Succeeded) != 4 {
				t.Errorf("held-back commands %d, succeeded %v", shown, res.Succeeded)
			}
		})
	}
}
