package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/driver"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// firewallOptions are the simulator options with the product driver of the
// embedded catalog (its port matrix) and profile, as the CLI builds it.
func (f *fleet) firewallOptions(j *memJournal) Options {
	o, _ := f.localOptions(j)
	o.Driver = driver.New(catalog.Default(), sm.DefaultProfile())
	return o
}

func (f *fleet) block(node string, ports ...int) {
	f.t.Helper()
	if err := sim.Update(f.dirs[node], func(s *sim.State) error { s.BlockedPorts = ports; return nil }); err != nil {
		f.t.Fatal(err)
	}
}

// verdicts returns the firewall.ports verdicts per node.
func verdicts(j *memJournal) map[string]string {
	out := map[string]string{}
	for _, e := range j.find(record.EventGuard, guard.FirewallPorts) {
		if _, dup := out[e.Node]; dup {
			out[e.Node] = "twice"
			continue
		}
		out[e.Node] = e.Verdict
	}
	return out
}

func TestSimFirewallPortBlockedHaltsBeforeAnyChange(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	f.block("sm2", 61617)
	j := &memJournal{}
	res, ne := runHalted(t, f, f.firewallOptions(j))
	if ne.Guard != guard.FirewallPorts || ne.Node != "sm2" || !strings.HasSuffix(ne.Step, "/precheck") {
		t.Fatalf("root cause %+v", ne)
	}
	msg := ne.Err.Error()
	if !strings.Contains(msg, "61617/tcp (JMS over TLS: data replication service)") || strings.Contains(msg, "443/tcp") ||
		!strings.Contains(msg, "System Manager smgr (127.0.0.1)") {
		t.Fatalf("message %q: want the blocked port and its purpose only", msg)
	}
	s := f.state("sm2")
	if s.Release != "8.1.3.8" || s.SSP != 30 || s.ServiceState != sm.StateAccepting || len(s.History) != 0 {
		t.Fatalf("sm2 changed: %s ssp %d %s %+v", s.Release, s.SSP, s.ServiceState, s.History)
	}
	if !slices.Contains(res.Failed, "sm2") {
		t.Fatalf("failed %v", res.Failed)
	}
	if v := verdicts(j)["sm2"]; v != record.VerdictFail {
		t.Fatalf("sm2 verdict %q", v)
	}
	f.noneDenying()
}

func TestSimFirewallPortsOpenFleetUpgrades(t *testing.T) {
	f := newFleet(t, "1m", "halt", "")
	before := f.digests()
	j := &memJournal{}
	if _, err := New(f.firewallOptions(j)).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatal(err)
	}
	f.assertUpgraded(before)
	want := map[string]string{"sm1": record.VerdictPass, "sm2": record.VerdictPass, "bsm1": record.VerdictPass}
	if got := verdicts(j); len(got) != 3 || got["sm1"] != want["sm1"] || got["sm2"] != want["sm2"] || got["bsm1"] != want["bsm1"] {
		t.Fatalf("verdicts %v, want one pass per SM/BSM and none for SMGR", got)
	}
	var checks []string
	for _, e := range j.find(record.EventCommand, "") {
		if e.Node == "bsm1" && strings.HasPrefix(e.Command, "nc ") {
			checks = append(checks, e.Command)
			if e.Status != "read_only" {
				t.Errorf("%s: status %q", e.Command, e.Status)
			}
		}
	}
	if strings.Join(checks, "|") != "nc -z -w 5 127.0.0.1 443|nc -z -w 5 127.0.0.1 61617" {
		t.Fatalf("bsm1 port checks %q: want the SM→SMGR tcp rows of the catalog", checks)
	}
}

// Dry-run: the read-only check passes the gate and refuses as for real;
// offline (no connection, or the gate's offline dialer with declared facts)
// it cannot say no and reports unknown.
func TestSimFirewallPortsDryRun(t *testing.T) {
	for _, mode := range []string{"online", "offline", "offline-dialer"} {
		f := newFleet(t, "1m", "halt", "")
		f.block("sm1", 443)
		j := &memJournal{}
		o := f.firewallOptions(j)
		o.DryRun, o.Offline = true, mode == "offline"
		if mode == "offline-dialer" {
			o.Dialer = dryrun.NewDialer(nil, nil)
			o.Driver = &testDriver{ports: catalog.Default().Firewall,
				gather: func(_ context.Context, c modules.Conn, kind string) (sm.Facts, error) {
					n := f.cfg.NodeByName(c.(interface{ Node() string }).Node())
					return sm.Facts{Release: n.Release, SSP: n.SSP}, nil
				}}
		}
		_, err := New(o).Run(context.Background(), f.p, f.cfg)
		got := verdicts(j)
		if mode != "online" {
			if err != nil || got["sm1"] != record.VerdictUnknown || got["sm2"] != record.VerdictUnknown {
				t.Errorf("%s: %v, verdicts %v", mode, err, got)
			}
			continue
		}
		ne := nodeErrors(t, err)
		if len(ne) != 1 || ne[0].Guard != guard.FirewallPorts || ne[0].Node != "sm1" || got["sm1"] != record.VerdictFail {
			t.Errorf("dry-run: %v, verdicts %v", err, got)
		}
		if s := f.state("sm1"); len(s.History) != 0 {
			t.Errorf("dry-run changed sm1: %+v", s.History)
		}
	}
}

// Only the tcp rows from Session Manager to System Manager are checked, and
// without a matrix there is nothing to check: no verdict, no refusal.
func TestFirewallPortsRowsAndNoMatrix(t *testing.T) {
	rows := []catalog.Port{
		{From: "session_manager", To: "system_manager", Port: 443, Protocol: "tcp"},
		{From: "session_manager", To: "system_manager", Port: 5061, Protocol: "udp"},
		{From: "system_manager", To: "session_manager", Port: 22, Protocol: "tcp"},
		{From: "session_manager", To: "session_manager", Port: 9042, Protocol: "tcp"},
	}
	if got := smgrPorts(rows); len(got) != 1 || got[0].Port != 443 {
		t.Fatalf("smgrPorts = %+v", got)
	}
	f := newFleet(t, "1m", "halt", "")
	f.block("sm1", 443, 61617)
	j := &memJournal{}
	o, _ := f.localOptions(j)
	o.DryRun = true // the blocked port would refuse if the guard ran
	if _, err := New(o).Run(context.Background(), f.p, f.cfg); err != nil {
		t.Fatalf("no matrix: %v", err)
	}
	if v := verdicts(j); len(v) != 0 {
		t.Fatalf("verdicts without a matrix: %v", v)
	}
}

// portCheck answers from a table of unreachable node:port pairs and counts
// the checks per node.
type portCheck struct {
	mu      sync.Mutex
	blocked map[string]bool // "node:port"
	calls   map[string]int
}

func (p *portCheck) check(_ context.Context, conn modules.Conn, _, _ string, port int) (bool, error) {
	node := conn.(*observed).node
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[node]++
	return !p.blocked[fmt.Sprintf("%s:%d", node, port)], nil
}

func newPortCheck(blocked ...string) *portCheck {
	pc := &portCheck{blocked: map[string]bool{}, calls: map[string]int{}}
	for _, b := range blocked {
		pc.blocked[b] = true
	}
	return pc
}

// A manifest without a System Manager has nothing to reach: no check runs.
func TestFirewallPortsNeedASystemManager(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	o := w.options(&memJournal{})
	pc := newPortCheck("sm1:443", "sm2:443", "bsm1:443")
	drv(o).ports, drv(o).portCheck = catalog.Default().Firewall, pc.check
	if _, err := New(o).Run(context.Background(), p, cfg); err != nil || len(pc.calls) != 0 {
		t.Fatalf("run without SMGR: %v, checks %v", err, pc.calls)
	}
}

// A resumed run checks the ports again at the first precheck it runs (the
// firewall may have changed since): a precheck is carried over only once its
// hop's change is on the node, so the check still precedes any change.
func TestFirewallPortsCheckedAgainOnResume(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	w.add("smgr", "smgr", eval.KindSMGR, "10.2.0.1")
	cfg.SMGR = &eval.Node{Name: "smgr", Kind: eval.KindSMGR, Cluster: "smgr", Host: "smgr.example.net", Release: "10.2.0.1", SSP: -1}
	j := &memJournal{}
	o := w.options(j)
	first := newPortCheck()
	drv(o).ports, drv(o).portCheck = catalog.Default().Firewall, first.check
	ctx, cancel := context.WithCancel(context.Background())
	killAt := -1
	o.Observer = ObserverFunc(func(e record.Event) {
		if killAt < 0 && e.Type == record.EventStepEnd && e.Step == "core/sm1/1/precheck" {
			w.mu.Lock()
			w.frozen = true // the controller is gone: nothing more reaches a node
			w.mu.Unlock()
			killAt = len(j.events)
			cancel()
		}
	})
	New(o).Run(ctx, p, cfg)
	if killAt < 0 || first.calls["sm1"] != 2 {
		t.Fatalf("kill point %d, first run checks %v", killAt, first.calls)
	}
	w.frozen = false

	j2 := &memJournal{}
	o2 := w.options(j2)
	o2.Resume = j.events[:killAt]
	second := newPortCheck("sm1:61617")
	drv(o2).ports, drv(o2).portCheck = catalog.Default().Firewall, second.check
	_, err := New(o2).Run(context.Background(), p, cfg)
	nes := nodeErrors(t, err)
	if len(nes) != 1 || nes[0].Guard != guard.FirewallPorts || nes[0].Step != "core/sm1/1/precheck" {
		t.Fatalf("resume: %v", err)
	}
	if !strings.Contains(nes[0].Err.Error(), "61617/tcp") || second.calls["sm1"] != 2 {
		t.Fatalf("message %q, checks %v", nes[0].Err, second.calls)
	}
	if n := w.node("sm1"); n.state != sm.StateAccepting || n.upgrades != 0 {
		t.Fatalf("sm1 %s, upgrades %d", n.state, n.upgrades)
	}
}
