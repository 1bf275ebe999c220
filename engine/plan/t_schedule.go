package plan

import (
	"strings"

	"github.com/runbook-dev/runbook/engine/guard"
)

// scheduleTransform fills every step's depends_on from the graph, reports
// dependency cycles (user steps can make them), and sets the plan's order
// and estimated duration from Schedule.
func (b *builder) scheduleTransform() {
	for _, st := range b.plan.Steps {
		st.DependsOn = b.graph.DependsOn(st.ID)
		if st.DependsOn == nil {
			st.DependsOn = []string{}
		}
	}
	base, ok := b.graph.TopoOrder(nil)
	if !ok {
		for _, c := range b.graph.Cycles() {
			b.addGuard(guard.PlanCycle, "", b.cfg.Runbook.DeclRange,
				"the steps "+strings.Join(c, ", ")+" depend on each other",
				"Check the before, after and depends_on attributes of the step blocks involved.")
		}
	}
	b.plan.Order, b.plan.EstimatedDurationS = Schedule(b.plan.Steps, b.limits(), base)
	if b.plan.Order == nil {
		b.plan.Order = []string{}
	}
}

// limits are the out-of-service rules of the manifest's policy, over the
// plan's nodes, for Schedule.
func (b *builder) limits() Limits {
	pol := b.cfg.Runbook.Policy
	return Limits{Parallel: pol.Parallel, BranchParallel: pol.BranchParallel, Nodes: b.plan.Nodes}
}
