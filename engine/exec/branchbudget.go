package exec

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// branchBudget applies policy.max_failed_branches to a failed step. A
// Branch Session Manager that fails within the budget fails alone: its own
// remaining steps are skipped and the other branches go on, so one broken
// branch does not stop hundreds. Past the budget no new branch starts
// (branchStop), a branch out of service finishes its window, and the failure
// halts as any other. It returns true when the failure stays within the
// budget (the caller then does not halt).
func (w *walker) branchBudget(node string) bool {
	r := w.r
	budget := r.cfg.Runbook.Policy.MaxFailedBranches
	ns := r.nodes[node]
	if !budget.Set || ns == nil || ns.kind != rollout.KindBSM {
		return false
	}
	if w.branchFailed == nil {
		w.branchFailed = map[string]bool{}
	}
	w.branchFailed[node] = true
	failed, total := len(w.branchFailed), w.branches()
	if !budget.Exceeded(failed, total) {
		r.emit(record.Event{Type: record.EventWarning, Node: node, Message: fmt.Sprintf(
			"branch %s failed: %d of %d branch(es) failed, within max_failed_branches = %s; the other branches go on",
			node, failed, total, budget)})
		return true
	}
	if !w.branchStop {
		w.branchStop = true
		r.emit(record.Event{Type: record.EventWarning, Node: node, Message: fmt.Sprintf(
			"max_failed_branches = %s exceeded: %d of %d branch(es) failed; no new branch starts",
			budget, failed, total)})
	}
	return false
}

// branches counts the run's Branch Session Managers.
func (w *walker) branches() int {
	n := 0
	for _, ns := range w.r.nodes {
		if ns.kind == rollout.KindBSM {
			n++
		}
	}
	return n
}

// branchHeld reports whether a step may not start because the branch
// failure budget is spent: a branch's step, unless the branch is out of
// service and finishing its window.
func (w *walker) branchHeld(ns *nodeState, finishing bool) bool {
	return w.branchStop && ns.kind == rollout.KindBSM && !finishing
}

// isBranch reports whether node is a Branch Session Manager of the run.
func (w *walker) isBranch(node string) bool {
	ns := w.r.nodes[node]
	return ns != nil && ns.kind == rollout.KindBSM
}

// waveEdge reports whether the dependency d of s only orders two branches
// in their wave (one branch's undrain before the next one's drain) and d's
// branch failed within the budget: the wave goes on without it.
func (w *walker) waveEdge(d string, s *plan.Step) bool {
	if w.branchStop || len(w.branchFailed) == 0 {
		return false // no branch failed within the budget
	}
	ds := w.byID[d]
	return ds != nil && ds.Node != s.Node && w.branchFailed[ds.Node] && !w.branchStop &&
		w.isBranch(ds.Node) && w.isBranch(s.Node)
}

// skipBranch is skipBelow for a branch that failed within the budget: it
// skips what depends on the failure on that branch and on other nodes, but
// not the other branches that follow it in the wave.
func (w *walker) skipBranch(id, root string) {
	failed := w.byID[root].Node
	for _, c := range w.below[id] {
		cs := w.byID[c]
		if w.status[c] != "" || w.running[c] || (cs.Node != failed && w.isBranch(cs.Node)) {
			continue
		}
		w.setStatus(c, StatusSkipped)
		w.r.emit(record.Event{Type: record.EventStepEnd, Step: c, Node: cs.Node, Phase: string(cs.Phase),
			Status: StatusSkipped, Message: fmt.Sprintf("skipped: %s failed", root)})
		w.skipBranch(c, root)
	}
}
