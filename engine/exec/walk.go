package exec

import (
	"context"
	"fmt"
	"sort"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// walker schedules the plan's steps. It follows Terraform's dag walk: a step
// starts once all its dependencies ended ok; a failed step skips everything
// below it, and only the failure itself is reported. The concurrency limits
// live here, above the graph: one step per node at a time, and the
// out-of-service rule for drains (oos.go: core SMs out of service at once
// across the manifest, Options.Parallel or policy.parallel). Anything else
// the plan's dependencies allow runs concurrently: prechecks, backups and
// uploads of other nodes, whatever their cluster.
type walker struct {
	r         *run
	steps     []*plan.Step // by plan order
	byID      map[string]*plan.Step
	deps      map[string][]string // in-scope dependencies only
	below     map[string][]string // dependents
	status    map[string]string
	running   map[string]bool
	nodeBusy  map[string]bool
	halted    map[string]bool // clusters that stop taking new work
	stopAll   bool            // another cluster failed and KeepGoing is off
	done      chan stepDone
	blockedBy map[string]error  // drains refused by the out-of-service rule in the last pass
	last      map[string]string // node -> its last step: where the node's walk ends

	branchFailed map[string]bool // BSMs that failed, for policy.max_failed_branches
	branchStop   bool            // the branch failure budget is spent: no new BSM starts

	// Index-based mirror of deps and status for startReady, which runs after
	// every step's end: with thousands of steps a pass over string-keyed
	// maps made the walk quadratic in map lookups.
	pos     map[string]int // step ID -> index in steps
	depPos  [][]int        // deps by index
	ok      []bool         // by index: ended ok
	ended   []bool         // by index: has a status
	pending []int          // indexes of steps neither started nor ended, in plan order
}

type stepDone struct {
	s      *plan.Step
	status string
}

func (r *run) newWalker() *walker {
	w := &walker{r: r, byID: map[string]*plan.Step{}, deps: map[string][]string{}, below: map[string][]string{},
		status: map[string]string{}, running: map[string]bool{}, nodeBusy: map[string]bool{},
		halted: map[string]bool{}, done: make(chan stepDone)}
	prio := map[string]int{}
	for i, id := range r.p.Order {
		prio[id] = i
	}
	w.steps = append(w.steps, r.steps...)
	sort.SliceStable(w.steps, func(i, j int) bool {
		pi, iok := prio[w.steps[i].ID]
		pj, jok := prio[w.steps[j].ID]
		if iok != jok {
			return iok
		}
		return pi < pj
	})
	w.last = map[string]string{}
	for _, s := range w.steps {
		w.byID[s.ID] = s
		w.last[s.Node] = s.ID
	}
	for _, s := range w.steps {
		for _, d := range s.DependsOn {
			if w.byID[d] != nil {
				w.deps[s.ID] = append(w.deps[s.ID], d)
				w.below[d] = append(w.below[d], s.ID)
			}
		}
	}
	w.indexSteps()
	return w
}

// indexSteps builds the index-based mirror of steps and deps.
func (w *walker) indexSteps() {
	w.pos = make(map[string]int, len(w.steps))
	for i, s := range w.steps {
		if _, dup := w.pos[s.ID]; !dup {
			w.pos[s.ID] = i
		}
	}
	w.depPos = make([][]int, len(w.steps))
	w.ok = make([]bool, len(w.steps))
	w.ended = make([]bool, len(w.steps))
	w.pending = make([]int, 0, len(w.steps))
	for i, s := range w.steps {
		for _, d := range w.deps[s.ID] {
			w.depPos[i] = append(w.depPos[i], w.pos[d])
		}
		if w.pos[s.ID] == i { // a repeated ID is one step, as in the maps
			w.pending = append(w.pending, i)
		}
	}
}

// parallelOf is the number of core SMs the run may have out of service at
// once: the --parallel option, else policy.parallel, at least 1.
func parallelOf(o Options, cfg *eval.Config) int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return max(cfg.Runbook.Policy.Parallel, 1)
}

// walk runs the plan until every step ended or nothing more may start.
func (r *run) walk(ctx context.Context) {
	w := r.newWalker()
	stopped := ctx.Done() // nil once announced
	for {
		if ctx.Err() == nil && r.journalOK() {
			w.startReady(ctx)
		}
		if len(w.running) == 0 {
			if ctx.Err() == nil && w.failBlocked() {
				continue
			}
			return
		}
		select {
		case d := <-w.done:
			w.finished(d)
		case <-stopped:
			stopped = nil
			w.announceStop()
		}
	}
}

func (r *run) journalOK() bool {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	return r.journalErr == nil
}

// depsOK reports whether the dependencies of the step at index i allow it
// to start.
func (w *walker) depsOK(i int) bool {
	s := w.steps[i]
	for _, d := range w.depPos[i] {
		if !w.ok[d] && !w.waveEdge(w.steps[d].ID, s) {
			return false
		}
	}
	return true
}

// startReady starts, in plan order, every step that may start now.
func (w *walker) startReady(ctx context.Context) {
	r := w.r
	w.blockedBy = map[string]error{}
	// A step that started or ended never starts again: it leaves pending
	// when it starts, or at the first pass after it ended unstarted
	// (skipped, refused).
	kept := w.pending[:0]
	for _, i := range w.pending {
		s := w.steps[i]
		if w.ended[i] {
			continue
		}
		kept = append(kept, i)
		if !w.depsOK(i) || w.nodeBusy[s.Node] {
			continue
		}
		ns := r.nodes[s.Node]
		if ns == nil {
			continue
		}
		r.mu.Lock()
		finishing := r.oos.isOpen(ns) && !ns.failed
		r.mu.Unlock()
		if (w.halted[s.Cluster] || w.stopAll || w.branchHeld(ns, finishing)) && !finishing {
			// A cluster failed: no new node starts; a healthy node that is
			// out of service right now finishes its window.
			continue
		}
		if deniesService(s) && !r.isHeld(s.ID) {
			r.mu.Lock()
			err := r.oos.openNode(ns)
			r.mu.Unlock()
			if err != nil {
				w.blockedBy[s.ID] = err
				continue
			}
		}
		w.running[s.ID] = true
		w.nodeBusy[s.Node] = true
		kept = kept[:len(kept)-1]
		go func(s *plan.Step) {
			st := r.execStep(ctx, s)
			if st == StatusOK && w.last[s.Node] == s.ID {
				r.endUserDrain(ctx, ns) // the node is still busy: nothing else runs on it
			}
			w.done <- stepDone{s: s, status: st}
		}(s)
	}
	w.pending = kept
}

// failBlocked fails the first drain the out-of-service rule refused while
// nothing runs: nothing will ever open the way, so the refusal is the failure.
func (w *walker) failBlocked() bool {
	r := w.r
	for _, s := range w.steps {
		err := w.blockedBy[s.ID]
		if err == nil || w.status[s.ID] != "" {
			continue
		}
		r.check(s, s.Node, guard.OutOfService, err, "")
		r.fail(s.Node, s.ID, err)
		r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase), Status: StatusFailed, Message: err.Error()})
		w.finished(stepDone{s: s, status: StatusFailed})
		return true
	}
	return false
}

// finished records a step's end, skips what depended on a failure and
// applies the halt policy.
func (w *walker) finished(d stepDone) {
	r := w.r
	s := d.s
	if w.running[s.ID] {
		delete(w.running, s.ID)
		delete(w.nodeBusy, s.Node)
	}
	w.setStatus(s.ID, d.status)
	if d.status != StatusFailed {
		return
	}
	if w.branchBudget(s.Node) {
		w.skipBranch(s.ID, s.ID)
		return
	}
	w.skipBelow(s.ID, s.ID)
	w.halted[s.Cluster] = true
	if !r.opts.KeepGoing {
		w.stopAll = true
	}
}

func (w *walker) setStatus(id, st string) {
	w.status[id] = st
	if i, ok := w.pos[id]; ok {
		w.ok[i] = st == StatusOK
		w.ended[i] = st != ""
	}
	w.r.mu.Lock()
	w.r.res.Steps[id] = st
	w.r.mu.Unlock()
}

// skipBelow marks every step below id skipped, transitively. Skips are
// journalled but not reported as errors: root is the only cause.
func (w *walker) skipBelow(id, root string) {
	for _, c := range w.below[id] {
		if w.status[c] != "" || w.running[c] {
			continue
		}
		w.setStatus(c, StatusSkipped)
		s := w.byID[c]
		w.r.emit(record.Event{Type: record.EventStepEnd, Step: c, Node: s.Node, Phase: string(s.Phase),
			Status: StatusSkipped, Message: fmt.Sprintf("skipped: %s failed", root)})
		w.skipBelow(c, root)
	}
}
