package exec

import (
	"fmt"
	"slices"
	"sort"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
)

// oosTracker enforces the out-of-service rule (README "Planning") at run
// time, whatever the plan document says, across the whole manifest: the
// vendor's Session Manager cluster is every core SM under one System
// Manager, so the manifest's cluster blocks do not bound it. At most
// parallel core SMs out of service at once, BSMs at most branch_parallel at
// once and never together with one of their core SMs (the plan node's core,
// else the core SMs of the BSM's cluster), and never a node together with
// its secondary. A node is out of service from the start of its drain step
// until its undrain succeeded (or, after a failure, until the failure policy
// put it back in service). Callers hold run.mu.
type oosTracker struct {
	parallel, branchParallel int
	core                     map[string][]string // BSM -> the core SMs it registers with
	secondary                map[string]string   // node -> its secondary
	open                     map[string]*nodeState
}

// newOOS reads the links from the plan document's nodes (core, secondary)
// and, for what the document leaves out, from the manifest.
func newOOS(p *plan.Plan, cfg *eval.Config, parallel int) *oosTracker {
	o := &oosTracker{parallel: max(parallel, 1), branchParallel: max(cfg.Runbook.Policy.BranchParallel, 1),
		core: map[string][]string{}, secondary: map[string]string{}, open: map[string]*nodeState{}}
	coreSMs := map[string][]string{} // cluster -> its core SMs
	for _, n := range cfg.AllNodes() {
		if n.Secondary != "" {
			o.secondary[n.Name] = n.Secondary
		}
		if n.Kind.Spec().Core {
			coreSMs[n.Cluster] = append(coreSMs[n.Cluster], n.Name)
		}
	}
	for _, n := range cfg.AllNodes() {
		if n.Kind.Spec().Branch {
			o.core[n.Name] = n.Core
			if len(n.Core) == 0 {
				o.core[n.Name] = coreSMs[n.Cluster]
			}
		}
	}
	for _, n := range p.Nodes {
		if n.Secondary != "" {
			o.secondary[n.Name] = n.Secondary
		}
		if n.Kind.Spec().Branch && len(n.Core) > 0 {
			o.core[n.Name] = n.Core
		}
	}
	return o
}

// canOpen says whether ns may be taken out of service now, and why not.
func (o *oosTracker) canOpen(ns *nodeState) error {
	spec := ns.kind.Spec()
	if !spec.CanDrain {
		return nil
	}
	var core, branch int
	for _, name := range o.names() {
		if name == ns.name {
			continue
		}
		m := o.open[name]
		switch {
		case o.secondary[ns.name] == name:
			return guardErr(guard.OutOfService, "%s's secondary %s is out of service", ns.name, name)
		case o.secondary[name] == ns.name:
			return guardErr(guard.OutOfService, "%s is out of service and %s is its secondary", name, ns.name)
		case spec.Branch && m.kind.Spec().Core && slices.Contains(o.core[ns.name], name):
			return guardErr(guard.OutOfService, "core SM %s of branch %s is out of service", name, ns.name)
		case spec.Core && m.kind.Spec().Branch && slices.Contains(o.core[name], ns.name):
			return guardErr(guard.OutOfService, "branch %s, which registers with %s, is out of service", name, ns.name)
		}
		if m.kind.Spec().Branch {
			branch++
		} else if m.kind.Spec().Core {
			core++
		}
	}
	switch {
	case spec.Core && core >= o.parallel:
		return guardErr(guard.OutOfService, "%d core SM(s) of the enterprise already out of service (parallel %d): %v", core, o.parallel, o)
	case spec.Branch && branch >= o.branchParallel:
		return guardErr(guard.OutOfService, "%d branch nodes of the enterprise already out of service (branch_parallel %d): %v", branch, o.branchParallel, o)
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

func (o *oosTracker) forceOpen(ns *nodeState) { o.open[ns.name] = ns }

func (o *oosTracker) close(ns *nodeState) { delete(o.open, ns.name) }

func (o *oosTracker) isOpen(ns *nodeState) bool {
	_, ok := o.open[ns.name]
	return ok
}

func (o *oosTracker) names() []string {
	out := make([]string, 0, len(o.open))
	for n := range o.open {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// String lists the open nodes, for messages.
func (o *oosTracker) String() string { return fmt.Sprint(o.names()) }
