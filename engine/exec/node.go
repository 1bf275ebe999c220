package exec

import (
	"context"
	"fmt"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// nodeState is what the run knows about one node. Fields are guarded by run.mu;
// the walker never runs two steps of one node at once.
type nodeState struct {
	name, cluster string
	kind          rollout.Kind
	pn            *plan.Node
	cn            *eval.Node
	target        modules.Target

	facts     facts.Facts // latest read (or, under dry-run, predicted)
	haveFacts bool
	skew      time.Duration // node clock minus controller clock, for predictions

	initial     facts.Facts // facts at the start of the change (of the first run, on resume)
	haveInitial bool

	before     map[int]facts.Facts       // per hop: facts taken before its change
	backups    map[int]map[string]string // per hop: the backup step's outcome values
	lastBackup map[string]string

	drained    bool         // denying new service (this run, or left so by the run resumed)
	userDrain  *plan.Step   // the user step that denied new service, until the node accepts again
	changed    map[int]bool // hops whose change (ssp, upgrade, restore, migrate) started
	failed     bool
	rolledBack bool
	unknown    bool // a change was stopped mid-way: nothing more is done to the node

	// factsStale: a step that may have changed what the facts read ran (or
	// failed) on the node since the run began; the final read is skipped
	// without one.
	factsStale bool

	portsChecked bool // firewall.ports is checked at the first precheck of the run
	declared     bool // offline dry-run: facts are the manifest's, not the node's
}

func newNodeState(cfg *eval.Config, pn *plan.Node) (*nodeState, error) {
	cn := cfg.NodeByName(pn.Name)
	if cn == nil {
		return nil, fmt.Errorf("exec: plan node %s is not in the manifest", pn.Name)
	}
	return &nodeState{name: pn.Name, kind: pn.Kind, cluster: pn.Cluster, pn: pn, cn: cn,
		target: targetFor(cfg, cn), before: map[int]facts.Facts{}, backups: map[int]map[string]string{},
		changed: map[int]bool{}}, nil
}

// targetFor resolves how to reach a node from its connection block.
func targetFor(cfg *eval.Config, n *eval.Node) modules.Target { return cfg.Target(n) }

// gather reads the node's facts (under dry-run, after the first read, the
// predicted facts are returned instead: the node was not changed).
func (r *run) gather(ctx context.Context, ns *nodeState, s *plan.Step) (facts.Facts, error) {
	r.mu.Lock()
	if r.opts.Offline && !ns.haveFacts {
		ns.facts, ns.haveFacts, ns.declared = declaredFacts(ns), true, true
	}
	if r.opts.DryRun && ns.haveFacts {
		f := ns.facts
		f.Clock = r.clock.Now().Add(ns.skew)
		r.mu.Unlock()
		return f, nil
	}
	r.mu.Unlock()
	conn, err := r.pool.get(ctx, ns)
	if err != nil {
		return facts.Facts{}, err
	}
	stepID := ""
	if s != nil {
		stepID = s.ID
	}
	f, err := r.opts.Driver.Gather(ctx, &observed{c: conn, r: r, node: ns.name, step: stepID}, string(ns.kind))
	if err != nil && ctx.Err() == nil && r.lost(err) {
		// A node rebooting under us: come back and read again, once.
		if conn, err = r.pool.redial(ctx, ns); err == nil {
			f, err = r.opts.Driver.Gather(ctx, &observed{c: conn, r: r, node: ns.name, step: stepID}, string(ns.kind))
		}
	}
	if err != nil {
		return facts.Facts{}, fmt.Errorf("read facts of %s: %w", ns.name, err)
	}
	r.mu.Lock()
	if r.opts.DryRun && !ns.haveFacts && f.ServiceState == "" && len(f.Services) == 0 {
		// A gatherer that returned only declared facts (an offline
		// dry-run): guards that need the node must say unknown, not no.
		ns.declared, f.ServiceState = true, sm.StateAccepting
	}
	ns.facts, ns.haveFacts = f, true
	if !f.Clock.IsZero() {
		ns.skew = f.Clock.Sub(r.clock.Now())
	}
	r.mu.Unlock()
	return f, nil
}

// factsEvent journals a node's facts; label says which (initial, before hop N, after).
func (r *run) factsEvent(ns *nodeState, s *plan.Step, label string, f facts.Facts) {
	e := record.Event{Type: record.EventFacts, Node: ns.name, Message: label, Facts: f}
	if s != nil {
		e.Step, e.Phase = s.ID, string(s.Phase)
	}
	r.emit(e)
}

// gatherAll reads every node in scope before anything changes and checks
// facts.drift. A node that cannot be read or drifted refuses the whole run.
func (r *run) gatherAll(ctx context.Context) error {
	var nodes []*nodeState
	for _, pn := range r.p.Nodes {
		if ns := r.nodes[pn.Name]; ns != nil {
			nodes = append(nodes, ns)
		}
	}
	reads := r.gatherEach(ctx, nodes)
	for i, ns := range nodes {
		pn := ns.pn
		f, err := reads[i].f, reads[i].err
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return r.red.Err(fmt.Errorf("gather facts: %w", err))
		}
		r.factsEvent(ns, nil, "initial", f)
		fc := f
		r.mu.Lock()
		r.res.FactsBefore[ns.name] = &fc
		ns.initial, ns.haveInitial = f, true
		if f.ServiceState == sm.StateDenying {
			// Out of service already: it counts against the cluster's
			// one-node-out rule. Only a resumed run owns the undrain.
			r.oos.forceOpen(ns)
			ns.drained = r.resume != nil
		}
		r.mu.Unlock()
		err = checkDrift(pn.Release, pn.SSP, f, pn.Path, r.resume != nil)
		if cerr := r.check(nil, ns.name, guard.FactsDrift, err, "node reports "+f.Release); cerr != nil {
			r.fail(ns.name, "", cerr)
		}
	}
	r.checkArtifacts()
	if r.resume != nil {
		r.resume.apply(r)
		r.journalCarried()
	}
	return nil
}

// declaredFacts are what the manifest says of a node, for an offline dry-run:
// release and SSP as declared, in service, nothing else known.
func declaredFacts(ns *nodeState) facts.Facts {
	f := facts.Facts{Release: ns.cn.Release, SSP: ns.cn.SSP, ServiceState: sm.StateAccepting}
	if ns.pn != nil {
		f.Release, f.SSP = ns.pn.Release, ns.pn.SSP
	}
	return f
}

// journalCarried copies into this run's journal, at its start, what a later
// resume of this run needs from the one resumed: the hop "before" facts
// (verify.data) and the verified backups (the restore's archive), so the
// newest journal alone is always enough.
func (r *run) journalCarried() {
	for _, s := range r.steps {
		if s.Planned(plan.PhaseBackup) && r.isHeld(s.ID) && r.resume.values[s.ID] != nil {
			r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase), Status: StatusOK,
				Message: "resume: carried over: " + r.heldReason(s.ID), Values: r.resume.values[s.ID]})
		}
	}
	for _, pn := range r.p.Nodes {
		ns := r.nodes[pn.Name]
		if ns == nil {
			continue
		}
		r.mu.Lock()
		hops := make(map[int]facts.Facts, len(ns.before))
		for h, f := range ns.before {
			hops[h] = f
		}
		r.mu.Unlock()
		for h := 0; h < len(pn.Path)+1; h++ {
			if f, ok := hops[h]; ok {
				r.factsEvent(ns, nil, fmt.Sprintf("before hop %d", h), f)
			}
		}
	}
}
