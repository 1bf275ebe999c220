package plan

import (
	"fmt"
	"path"
	"strconv"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
	"slices"
)

// RemoteMediaDir is where uploads put media on a node.
const RemoteMediaDir = "/var/tmp/runbook"

// hopStepsTransform lists the plan's nodes with their chosen paths and makes
// the steps of every unit (the user steps transform chains them): hop phases (README "Planning") with
// the upload ahead of the drain; an SSP pass is precheck → backup → upload →
// drain → ssp → verify → undrain (the backup is what its rollback restores).
// System Manager carries no calls, so its units have no drain/undrain.
func (b *builder) hopStepsTransform() {
	b.missing = map[string]*missingMedia{}
	for _, ns := range b.nodes {
		pn := &Node{Name: ns.n.Name, Kind: ns.n.Kind, Cluster: ns.n.Cluster, Host: ns.n.Host,
			Release: ns.release, SSP: ns.ssp, Platform: ns.n.Platform, Target: ns.target,
			Path: []string{ns.release}, Secondary: ns.n.Secondary, Geo: ns.n.Geo}
		if !ns.failed && len(ns.cands) > 0 {
			pn.Path = ns.cands[ns.chosen].path.Releases(ns.release)
		}
		for _, c := range ns.cores {
			pn.Core = append(pn.Core, c.n.Name)
		}
		b.plan.Nodes = append(b.plan.Nodes, pn)
		for k, u := range ns.units() {
			var ids []string
			for _, phase := range b.phases(ns, u) {
				if !b.geoPhase(ns, k, phase) {
					continue
				}
				st := b.hopStep(ns, u, phase)
				b.addStep(st)
				ids = append(ids, st.ID)
			}
			ns.unitSteps = append(ns.unitSteps, ids)
		}
	}
}

// phases are a unit's phases: those of the node's kind (System Manager
// carries no calls, so its units have no drain/undrain), in the phase table's
// order, with the one change the unit makes.
func (b *builder) phases(ns *nodeState, u unit) []rollout.Phase {
	var change []rollout.Phase
	switch {
	case u.ssp:
		change = []rollout.Phase{PhaseSSP}
	case u.patch:
		change = []rollout.Phase{PhaseUpgrade}
	case b.cfg.Runbook.Policy.Method == "data_migration":
		change = []rollout.Phase{PhaseMigrate}
	default:
		change = []rollout.Phase{PhaseUpgrade, PhaseRestore}
	}
	var out []rollout.Phase
	for _, p := range ns.n.Kind.Spec().Phases {
		if !p.Spec().Installs() || slices.Contains(change, p) {
			out = append(out, p)
		}
	}
	return out
}

func stepID(cluster, node string, hop int, phase rollout.Phase) string {
	return fmt.Sprintf("%s/%s/%d/%s", cluster, node, hop, phase)
}

func (b *builder) hopStep(ns *nodeState, u unit, phase rollout.Phase) *Step {
	st := &Step{ID: stepID(ns.n.Cluster, ns.n.Name, u.index, phase), Node: ns.n.Name, Cluster: ns.n.Cluster,
		Phase: phase, Hop: Hop{Index: u.index, From: u.from, To: u.to}, Module: "sm." + string(phase),
		Commands: []string{}, DependsOn: []string{}, EstimateS: b.estimate(ns.product, phase),
		Args: b.hopArgs(ns, u, phase), OutOfService: phase.Spec().InWindow && ns.n.Kind.Spec().CanDrain}
	if phase == PhaseDrain {
		d := b.drainArgs()
		st.Drain = &d
	}
	st.Commands = b.commands(st.Module, ns.n.Kind, st)
	return st
}

// drainArgs are the policy's drain arguments.
func (b *builder) drainArgs() DrainArgs {
	pol := b.cfg.Runbook.Policy
	return DrainArgs{MaxActiveCalls: pol.MaxActiveCalls, Timeout: pol.DrainTimeout}
}

func (b *builder) estimate(product string, phase rollout.Phase) int {
	if d, ok := b.cfg.Runbook.Policy.Durations[string(phase)]; ok {
		return int(d.Seconds())
	}
	return int(b.cat.Estimate(product, string(phase)).Seconds())
}

func (b *builder) hopArgs(ns *nodeState, u unit, phase rollout.Phase) map[string]string {
	media := func() map[string]string {
		a := b.artifactFor(ns, u)
		if a == nil {
			return map[string]string{}
		}
		return map[string]string{"media": RemoteMediaDir + "/" + path.Base(a.File), "sha256": a.SHA256}
	}
	switch phase {
	case PhaseBackup:
		return map[string]string{"store": b.cfg.Backup.Store}
	case PhaseUpload:
		a := b.artifactFor(ns, u)
		if a == nil {
			return nil
		}
		args := map[string]string{"artifact": a.Name, "local": a.File, "remote": RemoteMediaDir + "/" + path.Base(a.File), "sha256": a.SHA256}
		if a.MediaDir != "" {
			// The medium comes from outside the manifest's folder: the plan
			// names it for review.
			args["media_dir"] = a.MediaDir
		}
		return args
	case PhaseDrain:
		return b.drainArgs().Args()
	case PhaseSSP:
		m := media()
		m["ssp"] = strconv.Itoa(u.level)
		return m
	case PhaseUpgrade, PhaseMigrate:
		return media()
	case PhaseVerify:
		m := map[string]string{"release": u.to}
		if u.ssp {
			m["ssp"] = strconv.Itoa(u.level)
		}
		return m
	}
	return nil
}

// missingMedia is one medium no artifact block provides, with the nodes that need it.
type missingMedia struct {
	kind, product, release string
	level                  int
	nodes                  []*nodeState
}

// artifactFor finds the medium of a unit: a release artifact of the hop's
// target, or an SSP artifact for the release (level unsaid or equal). A
// missing one is remembered for artifact.missing.
func (b *builder) artifactFor(ns *nodeState, u unit) *eval.Artifact {
	kind, rel := "release", u.to
	if u.ssp {
		kind = "ssp"
	}
	for _, a := range b.cfg.Artifacts {
		if a.Kind != kind || a.Release != rel || (a.Product != "" && a.Product != ns.product) {
			continue
		}
		if u.ssp && a.SSP != 0 && a.SSP != u.level {
			continue
		}
		return a
	}
	key := fmt.Sprintf("%s|%s|%s|%d", kind, ns.product, rel, u.level)
	m := b.missing[key]
	if m == nil {
		m = &missingMedia{kind: kind, product: ns.product, release: rel, level: u.level}
		b.missing[key] = m
		b.missingOrder = append(b.missingOrder, key)
	}
	if len(m.nodes) == 0 || m.nodes[len(m.nodes)-1] != ns {
		m.nodes = append(m.nodes, ns)
	}
	return nil
}

func (b *builder) commands(module string, kind rollout.Kind, st *Step) []string {
	if b.opts.Commands == nil {
		return []string{}
	}
	t := modules.Task{Node: st.Node, Kind: string(kind), Phase: string(st.Phase), From: st.Hop.From, To: st.Hop.To, Args: st.Args}
	out := b.opts.Commands(module, t)
	if out == nil {
		return []string{}
	}
	return out
}

// addStep registers a step in the plan and the graph; a duplicate id is a
// manifest error (a user step named like a phase on the same hop).
func (b *builder) addStep(st *Step) bool {
	if _, dup := b.steps[st.ID]; dup {
		return false
	}
	b.steps[st.ID] = st
	b.plan.Steps = append(b.plan.Steps, st)
	b.graph.Add(st.ID)
	return true
}
