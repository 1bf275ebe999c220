package plan

import (
	"fmt"
	"path"
	"strconv"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
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
			Path: []string{ns.release}, Secondary: ns.n.Secondary}
		if !ns.failed && len(ns.cands) > 0 {
			pn.Path = ns.cands[ns.chosen].path.Releases(ns.release)
		}
		for _, c := range ns.cores {
			pn.Core = append(pn.Core, c.n.Name)
		}
		b.plan.Nodes = append(b.plan.Nodes, pn)
		for _, u := range ns.units() {
			var ids []string
			for _, phase := range b.phases(ns, u) {
				st := b.hopStep(ns, u, phase)
				b.addStep(st)
				ids = append(ids, st.ID)
			}
			ns.unitSteps = append(ns.unitSteps, ids)
		}
	}
}

func (b *builder) phases(ns *nodeState, u unit) []string {
	var change []string
	switch {
	case u.ssp:
		change = []string{PhaseSSP}
	case u.patch:
		change = []string{PhaseUpgrade}
	case b.cfg.Runbook.Policy.Method == "data_migration":
		change = []string{PhaseMigrate}
	default:
		change = []string{PhaseUpgrade, PhaseRestore}
	}
	out := []string{PhasePrecheck, PhaseBackup, PhaseUpload}
	if !ns.isSMGR() {
		out = append(out, PhaseDrain)
	}
	out = append(out, change...)
	out = append(out, PhaseVerify)
	if !ns.isSMGR() {
		out = append(out, PhaseUndrain)
	}
	return out
}

// outOfService marks the phases inside a drained window.
var outOfService = map[string]bool{PhaseDrain: true, PhaseSSP: true, PhaseUpgrade: true,
	PhaseMigrate: true, PhaseRestore: true, PhaseVerify: true, PhaseUndrain: true}

func stepID(cluster, node string, hop int, phase string) string {
	return fmt.Sprintf("%s/%s/%d/%s", cluster, node, hop, phase)
}

func (b *builder) hopStep(ns *nodeState, u unit, phase string) *Step {
	st := &Step{ID: stepID(ns.n.Cluster, ns.n.Name, u.index, phase), Node: ns.n.Name, Cluster: ns.n.Cluster,
		Phase: phase, Hop: Hop{Index: u.index, From: u.from, To: u.to}, Module: "sm." + phase,
		Commands: []string{}, DependsOn: []string{}, EstimateS: b.estimate(ns.product, phase),
		Args: b.hopArgs(ns, u, phase), OutOfService: outOfService[phase] && !ns.isSMGR()}
	st.Commands = b.commands(st.Module, ns.n.Kind, st)
	return st
}

func (b *builder) estimate(product, phase string) int {
	if d, ok := b.cfg.Runbook.Policy.Durations[phase]; ok {
		return int(d.Seconds())
	}
	return int(b.cat.Estimate(product, phase).Seconds())
}

func (b *builder) hopArgs(ns *nodeState, u unit, phase string) map[string]string {
	pol := b.cfg.Runbook.Policy
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
		return map[string]string{"max_active_calls": strconv.Itoa(pol.MaxActiveCalls), "drain_timeout": pol.DrainTimeout.String()}
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

func (b *builder) commands(module, kind string, st *Step) []string {
	if b.opts.Commands == nil {
		return []string{}
	}
	t := modules.Task{Node: st.Node, Kind: kind, Phase: st.Phase, From: st.Hop.From, To: st.Hop.To, Args: st.Args}
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
