package plan

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// nodesTransform resolves every node's current release and SSP (facts win
// over declarations), its target and product, and checks the rules that need
// no path: cluster.secondary, cluster.size, bsm.core, bsm.above_core and
// bsm.level; smgr.geo for a geo-redundant System Manager pair.
func (b *builder) nodesTransform() {
	for _, n := range b.cfg.AllNodes() {
		ns := &nodeState{n: n, product: n.Kind.Spec().Product, release: n.Release, ssp: n.SSP, target: n.Target}
		if f, ok := b.opts.Facts[n.Name]; ok {
			if f.Release != "" {
				ns.release = f.Release
			}
			if f.SSP >= 0 {
				ns.ssp = f.SSP
			}
		}
		if ns.target == "" && n.Kind != rollout.KindSMGR {
			ns.target = b.cfg.Runbook.Target
		}
		b.nodes = append(b.nodes, ns)
		b.byName[n.Name] = ns
		if n == b.cfg.SMGR {
			b.smgr = ns
		}
	}
	if b.smgr != nil && b.smgr.target == "" {
		b.smgr.target = b.smgrDefaultTarget()
	}
	b.checkGeo()
	b.checkSecondaries()
	b.checkClusterSize()
	b.resolveCores()
	b.checkBSMAboveCore()
}

// smgrDefaultTarget is the runbook target when an SM/BSM goes to a line newer
// than SMGR's, else SMGR's own release (no upgrade).
func (b *builder) smgrDefaultTarget() string {
	cur := catalog.LineOf(b.smgr.release)
	need := ""
	for _, ns := range b.nodes {
		if ns.isSMGR() || catalog.LineOf(ns.target) == "" {
			continue
		}
		if catalog.CompareLines(catalog.LineOf(ns.target), cur) > 0 && catalog.Compare(ns.target, need) > 0 {
			need = ns.target
		}
	}
	if need == "" {
		return b.smgr.release
	}
	if t := b.cfg.Runbook.Target; t != "" && catalog.Compare(t, need) >= 0 {
		return t
	}
	return need
}

// targetRange is where a node's target is written: its own attribute, else
// the runbook's.
func (b *builder) targetRange(ns *nodeState) hcl.Range {
	if r, ok := ns.n.Attrs["target"]; ok {
		return r
	}
	if b.cfg.Runbook.TargetRange.Filename != "" {
		return b.cfg.Runbook.TargetRange
	}
	return ns.n.Range
}

func (b *builder) checkSecondaries() {
	for _, ns := range b.nodes {
		sec := ns.n.Secondary
		if sec == "" {
			continue
		}
		other := b.byName[sec]
		var msg string
		switch {
		case other == nil:
			msg = fmt.Sprintf("%s names secondary %q, which is not a node of this manifest", ns.n.Name, sec)
		case other == ns:
			msg = fmt.Sprintf("%s names itself as its secondary", ns.n.Name)
		case !other.isCore():
			msg = fmt.Sprintf("%s names %s as its secondary, but a %s cannot serve its phones", ns.n.Name, sec, other.n.Kind)
		default:
			continue
		}
		b.addGuard(guard.ClusterSecondary, ns.n.Name, ns.attr("secondary"), msg,
			"The secondary must be another core session_manager of the manifest (any cluster): the SM that serves this node's phones while it is down.")
	}
}

func (b *builder) checkClusterSize() {
	limit := b.cat.Rules.ClusterSize
	count := 0
	for _, ns := range b.nodes {
		if !ns.isCore() {
			continue
		}
		count++
		if limit > 0 && count == limit+1 {
			b.addGuard(guard.ClusterSize, ns.n.Name, ns.n.Range,
				"more than %d core Session Manager instances in the enterprise (%s is number %d, counting every cluster)",
				"One System Manager manages at most this many Session Managers (catalog rules.cluster_size); split the fleet into one manifest per enterprise.",
				limit, ns.n.Name, count)
		}
	}
}

// resolveCores gives every BSM its core SMs (bsm.core when its core
// attribute names an unknown node, a node that is not a core SM, or more
// than two).
func (b *builder) resolveCores() {
	const most = 2
	for _, ns := range b.nodes {
		if !ns.isBSM() {
			continue
		}
		if ns.n.Core == nil {
			for _, o := range b.nodes {
				if o.isCore() && o.n.Cluster == ns.n.Cluster {
					ns.cores = append(ns.cores, o)
				}
			}
			continue
		}
		rng := ns.attr("core")
		hint := "core names the (at most two) core session_manager nodes this branch registers with, in any cluster; without it, the core SMs of its cluster."
		if len(ns.n.Core) > most {
			b.addGuard(guard.BSMCore, ns.n.Name, rng, "%s names %d core SMs; a branch registers with at most %d", hint, ns.n.Name, len(ns.n.Core), most)
		}
		for _, name := range ns.n.Core {
			o := b.byName[name]
			switch {
			case o == nil:
				b.addGuard(guard.BSMCore, ns.n.Name, rng, "%s names core %q, which is not a node of this manifest", hint, ns.n.Name, name)
			case !o.isCore():
				b.addGuard(guard.BSMCore, ns.n.Name, rng, "%s names %s as a core SM, but it is a %s", hint, ns.n.Name, name, o.n.Kind)
			default:
				ns.cores = append(ns.cores, o)
			}
		}
	}
}

// checkBSMAboveCore refuses a BSM whose target is above one of its core SMs'
// targets (bsm.above_core), wherever they are, and warns when it ends below
// all of them (bsm.level): a branch runs at its core's level.
func (b *builder) checkBSMAboveCore() {
	for _, ns := range b.nodes {
		if !ns.isBSM() || catalog.LineOf(ns.target) == "" {
			continue
		}
		var lowest *nodeState
		for _, c := range ns.cores {
			if catalog.LineOf(c.target) != "" && (lowest == nil || catalog.Compare(c.target, lowest.target) < 0) {
				lowest = c
			}
		}
		switch {
		case lowest == nil:
		case catalog.Compare(ns.target, lowest.target) > 0:
			b.addGuard(guard.BSMAboveCore, ns.n.Name, b.targetRange(ns),
				"BSM %s targets %s, above core SM %s's target %s",
				"A Branch Session Manager is brought to the level of its core SMs and never runs above them; lower the BSM target or raise the core's.",
				ns.n.Name, ns.target, lowest.n.Name, lowest.target)
			ns.failed = true
		case catalog.Compare(ns.target, lowest.target) < 0:
			b.addGuard(guard.BSMLevel, ns.n.Name, b.targetRange(ns),
				"BSM %s ends on %s, below its core SMs (%s ends on %s)",
				"The vendor brings a branch to the level of its core SM: raise the BSM target in this change or the next.",
				ns.n.Name, ns.target, lowest.n.Name, lowest.target)
		}
	}
}
