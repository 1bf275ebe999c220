package exec

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// oosTracker enforces the out-of-service rule (README "Planning") at run
// time, whatever the plan says: in a
// cluster at most one core SM out of service, BSMs at most branch_parallel at
// once and never together with a core SM. A node is out of service from the
// start of its drain step until its undrain succeeded (or, after a failure,
// until the failure policy put it back in service). Callers hold run.mu.
type oosTracker struct {
	branchParallel int
	open           map[string]map[string]rollout.Kind // cluster -> node -> kind
}

func newOOS(branchParallel int) *oosTracker {
	if branchParallel < 1 {
		branchParallel = 1
	}
	return &oosTracker{branchParallel: branchParallel, open: map[string]map[string]rollout.Kind{}}
}

// canOpen says whether ns may be taken out of service now, and why not.
func (o *oosTracker) canOpen(ns *nodeState) error {
	if !ns.kind.Spec().CanDrain {
		return nil
	}
	var sms, bsms int
	for n, k := range o.open[ns.cluster] {
		if n == ns.name {
			continue
		}
		if k.Spec().Branch {
			bsms++
		} else {
			sms++
		}
	}
	switch {
	case ns.kind.Spec().Core && sms+bsms > 0:
		return guardErr(guard.OutOfService, "another node of cluster %s is out of service", ns.cluster)
	case ns.kind.Spec().Branch && sms > 0:
		return guardErr(guard.OutOfService, "a core SM of cluster %s is out of service", ns.cluster)
	case ns.kind.Spec().Branch && bsms >= o.branchParallel:
		return guardErr(guard.OutOfService, "%d branch nodes of cluster %s already out of service (branch_parallel %d)", bsms, ns.cluster, o.branchParallel)
	}
	return nil
}

func (o *oosTracker) openNode(ns *nodeState) error {
	if err := o.canOpen(ns); err != nil {
		return err
	}
	o.forceOpen(ns)
	return nil
}

func (o *oosTracker) forceOpen(ns *nodeState) {
	if o.open[ns.cluster] == nil {
		o.open[ns.cluster] = map[string]rollout.Kind{}
	}
	o.open[ns.cluster][ns.name] = ns.kind
}

func (o *oosTracker) close(ns *nodeState) { delete(o.open[ns.cluster], ns.name) }

func (o *oosTracker) isOpen(ns *nodeState) bool {
	_, ok := o.open[ns.cluster][ns.name]
	return ok
}

// String lists the open nodes, for messages.
func (o *oosTracker) String() string { return fmt.Sprint(o.open) }
