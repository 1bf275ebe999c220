package plan

import (
	"maps"
	"path"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// FactsPlaceholder stands for a user step argument that reads facts.*, which
// are known only when apply has gathered them.
const FactsPlaceholder = "(known after facts)"

// userStepsTransform inserts the manifest's step blocks into the node chains
// (README "The manifest", step): with before/after, once per hop that has that phase, next to
// it; with neither, Ansible-style at the head of every matched node's chain,
// in block order, whether or not the node upgrades. It then connects every
// node's chain.
func (b *builder) userStepsTransform() {
	b.chain = map[*nodeState][]string{}
	b.afterOf = map[string]string{}
	for _, ns := range b.nodes {
		for _, ids := range ns.unitSteps {
			b.chain[ns] = append(b.chain[ns], ids...)
		}
	}
	instances := map[string][]*Step{}
	for _, us := range b.cfg.Steps {
		for _, ns := range b.nodes {
			if !matchNodes(us.Nodes, ns.n.Name) {
				continue
			}
			args := b.userArgs(us, ns)
			if us.Before == "" && us.After == "" {
				st := b.userStep(us, ns, Hop{Index: 0, From: ns.release, To: ns.release}, args)
				if b.insertUser(us, st, ns, ns.preSteps) {
					ns.preSteps++
					ns.chainSteps = append(ns.chainSteps, st.ID)
					instances[us.Name] = append(instances[us.Name], st)
				}
				continue
			}
			for ui := range ns.units() {
				for _, id := range ns.unitSteps[ui] {
					anchor := b.steps[id]
					if string(anchor.Phase) != us.Before && string(anchor.Phase) != us.After {
						continue
					}
					st := b.userStep(us, ns, anchor.Hop, args)
					at := indexOf(b.chain[ns], id)
					if us.After != "" {
						// after the anchor and after earlier blocks' steps placed after it
						for at++; at < len(b.chain[ns]) && b.afterOf[b.chain[ns][at]] == id; at++ {
						}
						b.afterOf[st.ID] = id
					}
					if b.insertUser(us, st, ns, at) {
						instances[us.Name] = append(instances[us.Name], st)
					}
				}
			}
		}
	}
	for _, ns := range b.nodes {
		c := b.chain[ns]
		for i := 1; i < len(c); i++ {
			b.graph.Connect(c[i-1], c[i])
		}
	}
	b.userDependsOn(instances)
}

func (b *builder) userStep(us *eval.Step, ns *nodeState, hop Hop, args map[string]string) *Step {
	st := &Step{ID: stepID(ns.n.Cluster, ns.n.Name, hop.Index, rollout.Phase(us.Name)), Node: ns.n.Name, Cluster: ns.n.Cluster,
		Phase: rollout.Phase(us.Name), Hop: hop, Module: us.Module, User: true, Commands: []string{}, DependsOn: []string{},
		EstimateS: b.userEstimate(us, ns, args), Args: args}
	st.Commands = b.commands(us.Module, ns.n.Kind, st)
	return st
}

// insertUser puts a user step into the node's chain at position at; inside a
// drained window it is out of service too, and may not accept new service:
// that would put the node back in service halfway through its hop, in place
// of the planned undrain.
func (b *builder) insertUser(us *eval.Step, st *Step, ns *nodeState, at int) bool {
	if !b.addStep(st) {
		rng := us.Range
		b.appendOnce(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Step name taken by a phase",
			Detail:  "The step " + us.Name + " would get the id " + st.ID + ", which a phase of the plan already has. Rename the step block: a step's name must differ from the phase names (precheck, backup, upload, drain, ssp, upgrade, migrate, restore, verify, undrain).",
			Subject: &rng}})
		return false
	}
	c := b.chain[ns]
	if at > 0 && at < len(c) {
		prev, next := b.steps[c[at-1]], b.steps[c[at]]
		st.OutOfService = prev.OutOfService && next.OutOfService && !prev.Planned(PhaseUndrain)
	}
	if st.OutOfService && us.Module == "sm.undrain" {
		rng := us.Range
		b.appendOnce(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Step accepts new service inside a drained window",
			Detail:  "The step " + us.Name + " runs sm.undrain on " + ns.n.Name + " between its drain and its undrain, while the node is being changed. Place it outside that window (before = \"drain\" or after = \"undrain\"): the plan puts the node back in service itself once it is verified.",
			Subject: &rng}})
	}
	c = append(c, "")
	copy(c[at+1:], c[at:])
	c[at] = st.ID
	b.chain[ns] = c
	return true
}

// userDependsOn adds depends_on edges: to the other step's instances on the
// same node, else to all of its instances.
func (b *builder) userDependsOn(instances map[string][]*Step) {
	for _, us := range b.cfg.Steps {
		for _, st := range instances[us.Name] {
			for _, dep := range us.DependsOn {
				var same, all []string
				for _, o := range instances[dep] {
					all = append(all, o.ID)
					if o.Node == st.Node {
						same = append(same, o.ID)
					}
				}
				if len(same) > 0 {
					all = same
				}
				for _, id := range all {
					b.graph.Connect(id, st.ID)
				}
			}
		}
	}
}

// userArgs evaluates a step's module arguments for one node. An argument
// that reads facts.* is left as FactsPlaceholder; apply evaluates it again.
func (b *builder) userArgs(us *eval.Step, ns *nodeState) map[string]string {
	n := *ns.n
	n.Release, n.Target = ns.release, ns.target
	ctx := eval.NodeContext(b.cfg.Ctx, &n, nil)
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(us.Args)) {
		expr := us.Args[k]
		if readsFacts(expr) {
			out[k] = FactsPlaceholder
			continue
		}
		v, diags := eval.EvalString(expr, ctx)
		if diags.HasErrors() {
			b.appendOnce(diags)
			continue
		}
		out[k] = v
	}
	return out
}

func readsFacts(expr hcl.Expression) bool {
	for _, tr := range expr.Variables() {
		if tr.RootName() == "facts" {
			return true
		}
	}
	return false
}

// appendOnce adds diagnostics not already reported (one expression fails the
// same way for every node).
func (b *builder) appendOnce(diags hcl.Diagnostics) {
	for _, d := range diags {
		dup := false
		for _, o := range b.diags {
			if o.Summary == d.Summary && o.Detail == d.Detail && o.Subject != nil && d.Subject != nil && *o.Subject == *d.Subject {
				dup = true
			}
		}
		if !dup {
			b.diags = append(b.diags, d)
		}
	}
}

func (b *builder) userEstimate(us *eval.Step, ns *nodeState, args map[string]string) int {
	if us.Module == "wait" {
		if d, err := time.ParseDuration(args["duration"]); err == nil {
			return int(d.Seconds())
		}
	}
	if len(us.Module) > 3 && us.Module[:3] == "sm." {
		return b.estimate(ns.product, rollout.Phase(us.Module[3:]))
	}
	return int(b.cat.Rules.StepEstimate.Seconds())
}

// matchNodes reports whether a node name matches any of the names or globs;
// no pattern at all matches every node.
func matchNodes(patterns []string, name string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, err := path.Match(p, name); (err == nil && ok) || p == name {
			return true
		}
	}
	return false
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
