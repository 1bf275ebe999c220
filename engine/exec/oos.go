package exec

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// oosTracker enforces the out-of-service rule (README "Planning") at run
// time, whatever the plan says: in a
// cluster at most one core SM out of service, BSMs at most branch_parallel at
// once and never together with a core SM. A node is out of service from the
// start of its drain step until its undrain succeeded (or, after a failure,
// until the failure policy put it back in service). Callers hold run.mu.
type oosTracker struct {
	branchParallel int
	open           map[string]map[string]string // cluster -> node -> kind
}

func newOOS(branchParallel int) *oosTracker {
	if branchParallel < 1 {
		branchParallel = 1
	}
	return &oosTracker{branchParallel: branchParallel, open: map[string]map[string]string{}}
}

// canOpen says whether ns may be taken out of service now, and why not.
func (o *oosTracker) canOpen(ns *nodeState) error {
	if ns.kind == eval.KindSMGR {
		return nil
	}
	var sms, bsms int
	for n, k := range o.open[ns.cluster] {
		if n == ns.name {
			continue
		}
		if k == eval.KindBSM {
			bsms++
		} else {
			sms++
		}
	}
	switch {
	case ns.kind == eval.KindSM && sms+bsms > 0:
		return guardErr(guard.OutOfService, "another node of cluster %s is out of service", ns.cluster)
	case ns.kind == eval.KindBSM && sms > 0:
		return guardErr(guard.OutOfService, "a core SM of cluster %s is out of service", ns.cluster)
	case ns.kind == eval.KindBSM && bsms >= o.branchParallel:
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
		o.open[ns.cluster] = map[string]string{}
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
