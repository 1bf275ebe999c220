package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/release"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// The fake world: nodes whose state changes only through commands sent over
// a fake Conn, so the executor's decorators (observed, dry-run) sit on the
// real path. Modules are thin: each runs one command named after its phase.

type fnode struct {
	cluster                       string
	kind                          rollout.Kind
	release                       string
	ssp                           int
	state                         string
	calls                         int
	stuckCalls                    bool
	down                          bool // services down
	users                         int
	digest                        string
	disk                          map[string]int64
	skew                          time.Duration
	uds                           string
	upgrades, restores, drainsNow int
	fail                          map[string]string // phase -> stderr: the phase fails
	rebootOn                      string            // phase during which the node reboots
	block                         chan struct{}     // when set, the phase in blockOn waits on it
	blockOn                       string
	started                       chan struct{} // closed when the blocked phase started
	corruptBackup                 bool          // the pulled archive's sha256 does not match
	lostBefore                    string        // phase whose command drops the connection before doing anything
	loseData                      bool          // the next restore loses the data (verify.data must catch it)
	downAfter                     string        // services stay down after this phase
}

type world struct {
	t         *testing.T
	dir       string
	mu        sync.Mutex
	nodes     map[string]*fnode
	dials     map[string]int
	maxOOS    map[string]int  // cluster -> most nodes denying at once
	bsmWithSM bool            // a BSM and a core SM of one cluster were out together
	maxCore   int             // most core SMs denying at once, whatever their cluster
	together  map[string]bool // "a+b" (sorted): a and b were denying at once
	history   []string
	frozen    bool // every node unreachable: a controller killed with -9 does nothing more
}

func newWorld(t *testing.T) *world {
	return &world{t: t, dir: t.TempDir(), nodes: map[string]*fnode{}, dials: map[string]int{},
		maxOOS: map[string]int{}, together: map[string]bool{}}
}

func (w *world) add(name, cluster string, kind rollout.Kind, release string) *fnode {
	n := &fnode{cluster: cluster, kind: kind, release: release, ssp: -1, state: sm.StateAccepting, users: 100,
		digest: "d-" + name, disk: map[string]int64{"/var": 50000, "/opt": 50000}, uds: "ok", fail: map[string]string{}}
	if kind == eval.KindSMGR {
		n.uds = ""
	}
	w.nodes[name] = n
	return n
}

func (w *world) node(name string) *fnode {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.nodes[name]
}

func (w *world) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.nodes[t.Node] == nil {
		return nil, fmt.Errorf("no node %s", t.Node)
	}
	w.dials[t.Node]++
	return &fconn{w: w, node: t.Node}, nil
}

type errLost struct{}

func (errLost) Error() string        { return "connection lost" }
func (errLost) ConnectionLost() bool { return true }

type fconn struct {
	w    *world
	node string
	lost bool
}

func (c *fconn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	w := c.w
	if c.lost || w.isFrozen() {
		return modules.Result{}, errLost{}
	}
	w.mu.Lock()
	n := w.nodes[c.node]
	w.mu.Unlock()
	f := strings.Fields(cmd.Line)
	phase := f[0]
	if n.block != nil && phase == n.blockOn {
		close(n.started)
		select {
		case <-n.block:
		case <-ctx.Done():
			return modules.Result{}, ctx.Err()
		}
	}
	time.Sleep(time.Millisecond) // let concurrent steps overlap
	w.mu.Lock()
	defer w.mu.Unlock()
	if n.lostBefore == phase {
		n.lostBefore = ""
		c.lost = true
		return modules.Result{}, errLost{}
	}
	if msg, ok := n.fail[phase]; ok {
		return modules.Result{ExitCode: 1, Stderr: []byte(msg)}, nil
	}
	var out string
	switch phase {
	case "facts":
		fc := sm.Facts{Release: n.release, SSP: n.ssp, ServiceState: n.state, ActiveCalls: n.calls,
			Services: map[string]string{"a": "up", "b": "up"}, DiskFreeMB: n.disk, Clock: time.Now().Add(n.skew),
			UDSBackup: n.uds, Users: n.users, DataDigest: n.digest}
		if n.down {
			fc.Services["b"] = "down"
		}
		b, _ := json.Marshal(fc)
		out = string(b)
	case "backup":
		p := filepath.Join(w.dir, c.node+"-"+n.release+".tgz")
		data := n.release + " " + n.digest
		os.WriteFile(p, []byte(data), 0o600)
		sum := sha256.Sum256([]byte(data))
		out = p + " " + hex.EncodeToString(sum[:])
		if n.corruptBackup {
			os.WriteFile(p, []byte("torn"), 0o600)
		}
	case "drain":
		n.state = sm.StateDenying
		if !n.stuckCalls {
			n.calls = 0
		}
		w.noteOOS()
		if n.calls > 0 {
			return modules.Result{ExitCode: 1, Stderr: []byte("calls remain")}, nil
		}
	case "undrain":
		n.state = sm.StateAccepting
	case "upgrade":
		n.upgrades++
		n.release = f[1]
		if strings.HasPrefix(f[1], "10.") && !strings.HasPrefix(f[2], "10.") {
			n.digest = "empty" // a cross-line upgrade starts from an empty database
		}

	case "ssp":
		fmt.Sscan(f[1], &n.ssp)
	case "restore":
		n.restores++
		b, err := os.ReadFile(f[1])
		if err != nil {
			return modules.Result{ExitCode: 2, Stderr: []byte(err.Error())}, nil
		}
		parts := strings.Fields(string(b))
		n.digest = parts[1]
		if n.loseData {
			n.loseData, n.digest = false, "lost" // this restore loses the data, once
		}
	}
	if phase != "facts" {
		w.history = append(w.history, c.node+" "+cmd.Line)
	}
	if n.downAfter == phase {
		n.down = true
	}
	if n.rebootOn == phase {
		n.rebootOn = ""
		c.lost = true
		return modules.Result{}, errLost{}
	}
	return modules.Result{Stdout: []byte(out)}, nil
}

// noteOOS records the most nodes of each cluster denying at once. Caller holds mu.
func (w *world) noteOOS() {
	per := map[string]int{}
	sms := map[string]int{}
	bsms := map[string]int{}
	var out []string
	core := 0
	for name, n := range w.nodes {
		if n.state == sm.StateDenying {
			out = append(out, name)
			if n.kind == eval.KindSM {
				core++
			}
			per[n.cluster]++
			if n.kind == eval.KindBSM {
				bsms[n.cluster]++
			} else {
				sms[n.cluster]++
			}
		}
	}
	w.maxCore = max(w.maxCore, core)
	sort.Strings(out)
	for i, a := range out {
		for _, b := range out[i+1:] {
			w.together[a+"+"+b] = true
		}
	}
	for c, k := range per {
		if k > w.maxOOS[c] {
			w.maxOOS[c] = k
		}
		if sms[c] > 0 && bsms[c] > 0 {
			w.bsmWithSM = true
		}
	}
}

func (c *fconn) Upload(ctx context.Context, local, remote string) (string, error)   { return "x", nil }
func (c *fconn) Download(ctx context.Context, remote, local string) (string, error) { return "x", nil }
func (c *fconn) Close() error                                                       { return nil }

func (w *world) isFrozen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.frozen
}

func (w *world) gather(ctx context.Context, conn modules.Conn, kind string) (sm.Facts, error) {
	res, err := conn.Run(ctx, modules.Command{Line: "facts", ReadOnly: true})
	if err != nil {
		return sm.Facts{}, err
	}
	var f sm.Facts
	if err := json.Unmarshal(res.Stdout, &f); err != nil {
		return f, err
	}
	return f, nil
}

// fmod runs one command named after the task's phase.
type fmod struct{ name string }

func (m fmod) Name() string                              { return m.name }
func (m fmod) Commands(t modules.Task) ([]string, error) { return []string{t.Phase}, nil }
func (m fmod) Run(ctx context.Context, c modules.Conn, t modules.Task) (modules.Outcome, error) {
	line := t.Phase
	switch t.Phase {
	case "upgrade":
		line += " " + t.To + " " + t.From
	case "ssp":
		line += " " + t.Args["ssp"]
	case "restore":
		line += " " + t.Args["archive"]
	case "shell":
		line = "shell " + t.Args["command"]
	}
	res, err := c.Run(ctx, modules.Command{Line: line, ReadOnly: t.Phase == "precheck" || t.Phase == "verify"})
	if err != nil {
		return modules.Outcome{}, err
	}
	if res.ExitCode != 0 {
		return modules.Outcome{}, fmt.Errorf("%s: exit %d: %s", t.Phase, res.ExitCode, res.Stderr)
	}
	if t.Phase == "backup" {
		f := strings.Fields(string(res.Stdout))
		return modules.Outcome{Values: map[string]string{"archive": f[0], "archive_sha256": f[1], "remote_archive": "/var/opt/backup/x"}}, nil
	}
	return modules.Outcome{Summary: t.Phase + " done"}, nil
}

func fakeModules() map[string]modules.Module {
	m := map[string]modules.Module{}
	for _, p := range []string{"precheck", "backup", "upload", "drain", "ssp", "upgrade", "migrate", "restore", "verify", "undrain"} {
		m["sm."+p] = fmod{"sm." + p}
	}
	m["shell"] = fmod{"shell"}
	return m
}

// memJournal keeps events in memory and can render them as journal lines.
type memJournal struct {
	mu     sync.Mutex
	events []record.Event
}

func (j *memJournal) Append(e record.Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, e)
	return nil
}

func (j *memJournal) all() []record.Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]record.Event(nil), j.events...)
}

func (j *memJournal) find(typ, guard string) []record.Event {
	var out []record.Event
	for _, e := range j.all() {
		if e.Type == typ && (guard == "" || e.Guard == guard) {
			out = append(out, e)
		}
	}
	return out
}

// --- plans ---

type spec struct {
	name, cluster   string
	kind            rollout.Kind
	release, target string
	secondary       string
}

// buildPlan plans each node as one hop precheck → backup → drain → upgrade
// (→ restore across lines) → verify → undrain; inside a cluster, node k's
// drain waits for node k-1's undrain, as the planner serialises windows.
func buildPlan(specs []spec) (*plan.Plan, *eval.Config) {
	cfg := &eval.Config{Runbook: eval.Runbook{Name: "t", ChangeID: "CHG1", Target: "10.2.0.1",
		Policy: eval.Policy{DrainTimeout: time.Minute, Parallel: 4, OnFailure: PolicyHalt, BranchParallel: 1}},
		Connections: map[string]*eval.Connection{}}
	p := &plan.Plan{FormatVersion: "1", Runbook: "t", ChangeID: "CHG1"}
	clusters := map[string]*eval.Cluster{}
	lastUndrain := map[string]string{}
	for _, sp := range specs {
		n := &eval.Node{Name: sp.name, Kind: sp.kind, Cluster: sp.cluster, Host: "127.0.0.1", Release: sp.release,
			SSP: -1, Secondary: sp.secondary, Target: sp.target}
		if sp.kind == eval.KindSMGR {
			cfg.SMGR = n
		} else {
			if clusters[sp.cluster] == nil {
				clusters[sp.cluster] = &eval.Cluster{Name: sp.cluster}
				cfg.Clusters = append(cfg.Clusters, clusters[sp.cluster])
			}
			clusters[sp.cluster].Nodes = append(clusters[sp.cluster].Nodes, n)
		}
		p.Nodes = append(p.Nodes, &plan.Node{Name: sp.name, Kind: sp.kind, Cluster: sp.cluster, Release: sp.release,
			SSP: -1, Target: sp.target, Path: []string{sp.release, sp.target}, Secondary: sp.secondary})
		hop := plan.Hop{Index: 1, From: sp.release, To: sp.target}
		phases := []string{"precheck", "backup", "drain", "upgrade"}
		if release.Line(sp.release) != release.Line(sp.target) {
			phases = append(phases, "restore")
		}
		phases = append(phases, "verify", "undrain")
		prev := ""
		for _, ph := range phases {
			s := &plan.Step{ID: fmt.Sprintf("%s/%s/1/%s", sp.cluster, sp.name, ph), Node: sp.name, Cluster: sp.cluster,
				Phase: rollout.Phase(ph), Hop: hop, Module: "sm." + ph, EstimateS: 60, Args: map[string]string{}}
			if prev != "" {
				s.DependsOn = append(s.DependsOn, prev)
			}
			if ph == "drain" && lastUndrain[sp.cluster] != "" {
				s.DependsOn = append(s.DependsOn, lastUndrain[sp.cluster])
			}
			s.OutOfService = ph != "precheck" && ph != "backup"
			p.Steps = append(p.Steps, s)
			p.Order = append(p.Order, s.ID)
			prev = s.ID
		}
		lastUndrain[sp.cluster] = prev
	}
	return p, cfg
}

func (w *world) options(j Journal) Options {
	return Options{Dialer: w, Driver: &testDriver{mods: fakeModules(), gather: w.gather}, Journal: j,
		Limits: Limits{Poll: time.Millisecond, ServicesTimeout: 50 * time.Millisecond, ReconnectInitial: time.Millisecond,
			ReconnectMax: time.Millisecond, ReconnectTries: 3}}
}

func nodeErrors(t *testing.T, err error) []*NodeError {
	t.Helper()
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want *RunError", err, err)
	}
	var out []*NodeError
	for _, e := range re.Errs.Errors {
		var ne *NodeError
		if !errors.As(e, &ne) {
			t.Fatalf("error %v is not a *NodeError", e)
		}
		out = append(out, ne)
	}
	return out
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
