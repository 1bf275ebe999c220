package exec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/facts"
)

// Executor runs plans. It holds no state between runs.
type Executor struct {
	opts Options
}

// New returns an Executor with opts.
func New(opts Options) *Executor { return &Executor{opts: opts} }

// run is the state of one Run call.
type run struct {
	opts  Options
	p     *plan.Plan
	cfg   *eval.Config
	lim   Limits
	clock Clock
	// hard is the context of node-changing steps: it ends InterruptGrace
	// after the run's context (see interrupt.go).
	hard context.Context
	red  *record.Redactor
	pool *pool

	// windowOutside: the run started outside the maintenance window (a
	// dry-run, or the window ignored); windowShift moves a dry-run that
	// started before the window to the window's start (see window.go).
	windowOutside bool
	windowShift   time.Duration

	steps  []*plan.Step
	nodes  map[string]*nodeState
	peers  map[string]*nodeState // secondaries outside the run's scope, read only
	resume *resumeState

	emitMu     sync.Mutex
	journalErr error

	mu  sync.Mutex // guards nodeState fields, oos and res
	oos *oosTracker
	res *Result
}

// Run executes p against the nodes of cfg. It returns the result and, when
// the run did not succeed, a *RunError (errors.Is ErrHalted or
// ErrInterrupted) or a setup error (bad options, unreachable node at start).
func (x *Executor) Run(ctx context.Context, p *plan.Plan, cfg *eval.Config) (*Result, error) {
	r, err := x.newRun(p, cfg)
	if err != nil {
		return nil, err
	}
	defer r.pool.closeAll()
	defer r.startGrace(ctx)()
	r.emit(record.Event{Type: record.EventRunStart, Message: r.startMessage()})

	for _, d := range p.Diagnostics {
		if d.Severity == "error" {
			err := fmt.Errorf("exec: the plan has errors (%s: %s); it cannot be applied", d.Rule, d.Summary)
			r.finish(ctx, err)
			return r.res, err
		}
	}
	if err := r.openWindow(); err != nil {
		r.finish(ctx, err)
		return r.res, err
	}
	if err := r.gatherAll(ctx); err != nil {
		r.finish(ctx, err)
		return r.res, err
	}
	if err := r.checkScopeOrder(ctx); err != nil {
		r.finish(ctx, err)
		return r.res, err
	}
	if !r.refused() {
		r.walk(ctx)
		r.endUserDrains(ctx)
		r.finalFacts(ctx)
	}
	err = r.finish(ctx, nil)
	return r.res, err
}

func (x *Executor) newRun(p *plan.Plan, cfg *eval.Config) (*run, error) {
	o := x.opts
	switch {
	case p == nil || cfg == nil:
		return nil, errors.New("exec: nil plan or config")
	case o.Dialer == nil && !o.Offline:
		return nil, errors.New("exec: no dialer")
	case o.Driver == nil:
		return nil, errors.New("exec: no product driver")
	case o.Offline && !o.DryRun:
		return nil, errors.New("exec: offline is only for dry-run")
	}
	if err := cfg.CheckClusters(o.Clusters); err != nil {
		return nil, err
	}
	if err := cfg.CheckLimit(o.Limit); err != nil {
		return nil, err
	}
	if o.DryRun && o.DryRunRecorder == nil {
		o.DryRunRecorder = dryrun.NewRecorder() // one for every node of the run
	}
	r := &run{opts: o, p: p, cfg: cfg, lim: o.Limits.withDefaults(), clock: o.Clock, red: o.Redactor,
		nodes: map[string]*nodeState{}, peers: map[string]*nodeState{}, oos: newOOS(p, cfg, parallelOf(o, cfg)),
		res: &Result{Steps: map[string]string{}, FactsBefore: map[string]*facts.Facts{}, FactsAfter: map[string]*facts.Facts{}}}
	if r.clock == nil {
		r.clock = systemClock{}
	}
	r.hard = context.Background() // Run replaces it (startGrace)
	if r.red == nil {
		r.red = record.NewRedactor(cfg.Secrets...)
	}
	if r.opts.NodeContext == nil {
		r.opts.NodeContext = defaultNodeContext
	}
	r.pool = newPool(r)
	for _, s := range p.Steps {
		if o.selects(s.Cluster, s.Node) {
			r.steps = append(r.steps, s)
		}
	}
	for _, pn := range p.Nodes {
		if !o.selects(pn.Cluster, pn.Name) {
			continue
		}
		ns, err := newNodeState(cfg, pn)
		if err != nil {
			return nil, err
		}
		r.nodes[pn.Name] = ns
	}
	if len(o.Resume) > 0 {
		r.resume = newResumeState(o.Resume)
	}
	return r, nil
}

func (r *run) startMessage() string {
	mode := "apply"
	if r.opts.DryRun {
		mode = "dry-run"
	}
	if r.resume != nil {
		mode += ", resumed"
	}
	return fmt.Sprintf("%s %s: %d steps on %d nodes (%s)", r.p.Runbook, r.p.ChangeID, len(r.steps), len(r.nodes), mode)
}

// refused reports whether the start-of-run checks failed (facts.drift, an
// unreachable node): then nothing at all is changed.
func (r *run) refused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.res.Errs.ErrorOrNil() != nil
}

// fail records a root cause for a node.
func (r *run) fail(node, step string, err error) *NodeError {
	ne := &NodeError{Node: node, Step: step, Err: r.red.Err(err)}
	var ge *GuardError
	if errors.As(err, &ge) {
		ne.Guard = ge.ID
	}
	r.mu.Lock()
	r.res.Errs = multierror.Append(r.res.Errs, ne)
	if ns := r.nodes[node]; ns != nil {
		ns.failed = true
	}
	r.mu.Unlock()
	return ne
}

// finish settles the result, writes the run_end event and builds the error.
// setupErr is a failure before the walk (it is returned as is).
func (r *run) finish(ctx context.Context, setupErr error) error {
	interrupted := ctx.Err() != nil
	if interrupted {
		r.cleanupInterrupted()
	}
	r.settleNodes()
	r.mu.Lock()
	r.res.Interrupted = interrupted
	errs := r.res.Errs
	r.mu.Unlock()
	if r.journalErr != nil {
		errs = multierror.Append(errs, r.journalErr)
		r.res.Errs = errs
	}
	status := record.RunSucceeded
	var err error
	switch {
	case setupErr != nil:
		status, err = record.RunRefused, setupErr
		r.res.Errs = multierror.Append(r.res.Errs, setupErr) // so Result.OK is false
	case interrupted:
		status, err = record.RunInterrupted, &RunError{Kind: ErrInterrupted, Errs: errs}
	case errs.ErrorOrNil() != nil:
		status, err = record.RunFailed, &RunError{Kind: ErrHalted, Errs: errs}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	r.end(status, msg)
	if r.journalErr != nil && err == nil {
		err = &RunError{Kind: ErrHalted, Errs: multierror.Append(nil, r.journalErr)}
	}
	if err != nil {
		err = r.red.Err(err)
	}
	return err
}

// settleNodes sorts the nodes into the result's lists from the step statuses.
func (r *run) settleNodes() {
	r.mu.Lock()
	defer r.mu.Unlock()
	byNode := map[string][]string{}
	for _, s := range r.steps {
		st := r.res.Steps[s.ID]
		if st == "" {
			st = StatusNotRun
			r.res.Steps[s.ID] = st
		}
		byNode[s.Node] = append(byNode[s.Node], st)
	}
	for _, pn := range r.p.Nodes {
		ns := r.nodes[pn.Name]
		if ns == nil {
			continue
		}
		if ns.haveFacts {
			f := ns.facts
			r.res.FactsAfter[ns.name] = &f
		}
		switch {
		case ns.rolledBack:
			r.res.RolledBack = append(r.res.RolledBack, ns.name)
			r.res.Failed = append(r.res.Failed, ns.name)
		case ns.failed:
			r.res.Failed = append(r.res.Failed, ns.name)
			if ns.unknown {
				r.res.Unknown = append(r.res.Unknown, ns.name)
			}
		case allOK(byNode[ns.name]):
			r.res.Succeeded = append(r.res.Succeeded, ns.name)
		default:
			r.res.Incomplete = append(r.res.Incomplete, ns.name)
		}
	}
}

func allOK(sts []string) bool {
	for _, s := range sts {
		if s != StatusOK {
			return false
		}
	}
	return true
}

// cleanupCtx returns a context for cleanup work that must happen even after the
// run's context was cancelled (undrain a healthy node, flush the journal).
func (r *run) cleanupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.lim.CleanupTimeout)
}

// finalFacts reads every node once more after the walk, so the record's
// "after" column is the state the run left behind (back in service, say),
// not the state seen at the last verify. Under dry-run nothing changed, and a
// node that cannot be read now keeps its last reading; so does a node on
// which only steps that cannot change facts ran (changesFacts).
func (r *run) finalFacts(ctx context.Context) {
	if r.opts.DryRun {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.lim.CleanupTimeout)
	defer cancel()
	var nodes, stale []*nodeState
	r.mu.Lock()
	for _, pn := range r.p.Nodes {
		if ns := r.nodes[pn.Name]; ns != nil && ns.haveFacts {
			nodes = append(nodes, ns)
			if ns.factsStale {
				stale = append(stale, ns)
			}
		}
	}
	r.mu.Unlock()
	reads := map[*nodeState]factsRead{}
	for i, rd := range r.gatherEach(ctx, stale) {
		reads[stale[i]] = rd
	}
	for _, ns := range nodes {
		rd, read := reads[ns]
		if !read {
			// Only steps that cannot change the facts ran: the last read stands.
			r.mu.Lock()
			rd.f = ns.facts
			r.mu.Unlock()
		}
		if rd.err == nil {
			r.emit(record.Event{Type: record.EventFacts, Node: ns.name, Phase: "after", Message: "final", Facts: rd.f})
		}
	}
}
