package exec

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/facts"
)

// Failure policies (policy.on_failure).
const (
	PolicyHalt     = "halt"
	PolicyRollback = "rollback"
)

// recover applies the failure policy to the node whose step failed: with
// rollback, a node whose hop had started changing is restored from its
// pre-upgrade backup and verified; in every case a node left out of service
// is put back in service when it is healthy. The cluster's halt is the
// walker's job. Recovery runs even after an interrupt, on its own context.
func (r *run) recover(ctx context.Context, ns *nodeState, s *plan.Step) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = r.cleanupCtx()
		defer cancel()
	}
	r.mu.Lock()
	changed := ns.changed[s.Hop.Index]
	r.mu.Unlock()
	if r.cfg.Runbook.Policy.OnFailure == PolicyRollback && changed {
		r.rollback(ctx, ns, s)
	}
	r.undrainIfHealthy(ctx, ns, s)
}

// action records one thing the failure policy did.
func (r *run) action(ns *nodeState, s *plan.Step, act, status, msg string) {
	msg = r.red.String(msg)
	r.mu.Lock()
	r.res.Rollback = append(r.res.Rollback, record.RollbackAction{Time: r.clock.Now().UTC(), Node: ns.name,
		Step: s.ID, Action: act, Status: status, Message: msg})
	r.mu.Unlock()
	// The record's convention: a rollback event carries the action in Phase.
	r.emit(record.Event{Type: record.EventRollback, Node: ns.name, Step: s.ID, Phase: act, Status: status, Message: msg})
}

// healthy says whether a node may carry calls again: services up, on a
// release of its path, and (when known) the users and data it had before the
// hop. A node upgraded across lines but not yet restored is not healthy.
func (r *run) healthy(ns *nodeState, s *plan.Step, f facts.Facts) (bool, string) {
	if err := checkServices(f); err != nil {
		return false, err.Error()
	}
	if ns.pn != nil && !slices.Contains(ns.pn.Path, f.Release) {
		return false, "release " + f.Release + " is not on the node's path"
	}
	if before, ok := r.beforeFacts(ns, s.Hop.Index); ok {
		if err := checkData(f, before); err != nil {
			return false, err.Error()
		}
	}
	return true, ""
}

// undrainIfHealthy accepts new service on a node the run drained, when the
// node is healthy; an unhealthy node stays denying and the record says why.
func (r *run) undrainIfHealthy(ctx context.Context, ns *nodeState, s *plan.Step) {
	r.mu.Lock()
	drained, by, unknown := ns.drained, ns.userDrain, ns.unknown
	r.mu.Unlock()
	if !drained {
		return
	}
	if unknown {
		r.action(ns, s, "undrain", record.StepNotRun, "left denying new service: "+ns.name+" "+UnknownState)
		return
	}
	done := "accepting new service again"
	if by != nil {
		done += " (denied by user step " + by.ID + ")"
	}
	f, err := r.waitServices(ctx, ns, s)
	if err != nil {
		r.action(ns, s, "undrain", record.StepFailed, "cannot read the node: "+err.Error())
		return
	}
	if ok, why := r.healthy(ns, s, f); !ok {
		r.action(ns, s, "undrain", record.StepNotRun, "left denying new service: "+why)
		return
	}
	undrain := &plan.Step{ID: s.ID, Node: ns.name, Cluster: ns.cluster, Phase: plan.PhaseUndrain, Hop: s.Hop, Module: "sm.undrain"}
	t := r.task(ns, undrain)
	if _, err := r.runModule(ctx, ns, undrain, t); err != nil {
		r.action(ns, s, "undrain", record.StepFailed, err.Error())
		return
	}
	r.markUndrained(ns)
	if r.opts.DryRun {
		r.predict(ns, undrain)
	}
	r.action(ns, s, "undrain", record.StepOK, done)
}

// rollback restores the node to the hop's source: when the release changed,
// the source release is installed again from its medium (an artifact of the
// manifest), then the pre-upgrade archive's data is restored, and the node
// is verified against the source release and the facts taken before the
// hop. The archive is restored only onto the release it was taken on: when
// the node is not back on it (no source medium, a failed reinstall), the
// restore is refused and recorded as failed, and the node is left as it is
// for the operator.
func (r *run) rollback(ctx context.Context, ns *nodeState, s *plan.Step) {
	r.progress(s, ns.name, "rolling %s back to %s", ns.name, s.Hop.From)
	r.mu.Lock()
	b, own := ns.backups[s.Hop.Index], true
	if b == nil {
		b, own = ns.lastBackup, false
	}
	r.mu.Unlock()
	if b == nil {
		r.action(ns, s, "restore", record.StepNotRun, "no backup of this node was taken in this run")
		return
	}
	backupRelease := b["release"]
	if backupRelease == "" && own {
		backupRelease = s.Hop.From // taken at the start of this hop (journals without the release)
	}
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		r.action(ns, s, "reinstall", record.StepFailed, "cannot read the node: "+err.Error())
		return
	}
	current := f.Release
	if current != s.Hop.From {
		if err := r.reinstall(ctx, ns, s, current); err != nil {
			r.action(ns, s, "reinstall", record.StepFailed, err.Error())
		} else {
			r.action(ns, s, "reinstall", record.StepOK, "release "+s.Hop.From+" installed again")
		}
		if r.opts.DryRun {
			current = s.Hop.From
		} else if f, err := r.gather(ctx, ns, s); err != nil {
			r.action(ns, s, "restore", record.StepFailed, "not restored: cannot read the node's release: "+err.Error())
			return
		} else {
			current = f.Release
		}
	}
	if backupRelease == "" || current != backupRelease {
		taken := "an unknown release"
		if backupRelease != "" {
			taken = backupRelease
		}
		r.action(ns, s, "restore", record.StepFailed, fmt.Sprintf(
			"refused: the backup %s was taken on %s and the node runs %s; a backup is restored only onto the release it was taken on (reinstall %s, then restore it by hand)",
			b["archive"], taken, current, s.Hop.From))
		return
	}
	rs := &plan.Step{ID: s.ID, Node: ns.name, Cluster: ns.cluster, Phase: plan.PhaseRestore,
		Hop: plan.Hop{Index: s.Hop.Index, From: s.Hop.To, To: s.Hop.From}, Module: "sm.restore"}
	t := r.task(ns, rs)
	for _, k := range []string{"archive", "archive_sha256", "remote_archive"} {
		t.Args[k] = b[k]
	}
	t.Args["release"] = s.Hop.From
	if _, err := r.runModule(ctx, ns, rs, t); err != nil {
		r.action(ns, s, "restore", record.StepFailed, err.Error())
		return
	}
	if r.opts.DryRun {
		r.predict(ns, rs)
	}
	r.action(ns, s, "restore", record.StepOK, "restored from "+b["archive"])
	f, err = r.waitServices(ctx, ns, s)
	if err != nil {
		r.action(ns, s, "verify", record.StepFailed, err.Error())
		return
	}
	before, have := r.beforeFacts(ns, s.Hop.Index)
	vs := &plan.Step{ID: s.ID, Node: ns.name, Cluster: ns.cluster, Phase: plan.PhaseVerify, Hop: s.Hop}
	if err := r.verifyFacts(vs, ns, f, s.Hop.From, before, have); err != nil {
		r.action(ns, s, "verify", record.StepFailed, err.Error())
		return
	}
	r.mu.Lock()
	ns.rolledBack = true
	r.mu.Unlock()
	r.action(ns, s, "verify", record.StepOK, "back on "+f.Release+", data intact")
}

// cleanupInterrupted puts every node the run drained back in service when
// healthy, after the walk stopped on a cancelled context.
func (r *run) cleanupInterrupted() {
	ctx, cancel := r.cleanupCtx()
	defer cancel()
	for _, pn := range r.p.Nodes {
		ns := r.nodes[pn.Name]
		if ns == nil {
			continue
		}
		r.mu.Lock()
		drained := ns.drained
		r.mu.Unlock()
		if !drained {
			continue
		}
		hop := plan.Hop{}
		r.mu.Lock()
		for _, st := range r.steps { // the hop the node was in: its last started drain
			if st.Node == ns.name && st.Planned(plan.PhaseDrain) && r.res.Steps[st.ID] != "" {
				hop = st.Hop
			}
		}
		r.mu.Unlock()
		r.undrainIfHealthy(ctx, ns, &plan.Step{ID: pn.Cluster + "/" + pn.Name + "/interrupt", Node: ns.name, Cluster: ns.cluster, Hop: hop})
	}
}

// reinstall puts the hop's source release back with the upgrade module, from
// the manifest's release artifact for it: upload (sha256 checked on both
// ends), then install with rollback = "true" so the installer accepts an
// older release. The reboot is ridden through like any upgrade.
func (r *run) reinstall(ctx context.Context, ns *nodeState, s *plan.Step, current string) error {
	product := ns.kind.Spec().Product
	var art *eval.Artifact
	for _, a := range r.cfg.Artifacts {
		if a.Kind == "release" && a.Release == s.Hop.From && (a.Product == "" || a.Product == product) {
			art = a
			break
		}
	}
	if art == nil {
		return fmt.Errorf("no release artifact for %s in the manifest: the node stays on %s", s.Hop.From, current)
	}
	remote := "/var/tmp/runbook/" + filepath.Base(art.File)
	up := &plan.Step{ID: s.ID, Node: ns.name, Cluster: ns.cluster, Phase: plan.PhaseUpload, Hop: s.Hop, Module: "sm.upload",
		Args: map[string]string{"artifact": art.Name, "local": art.File, "remote": remote, "sha256": art.SHA256}}
	if _, err := r.runModule(ctx, ns, up, r.task(ns, up)); err != nil {
		return err
	}
	ug := &plan.Step{ID: s.ID, Node: ns.name, Cluster: ns.cluster, Phase: plan.PhaseUpgrade,
		Hop: plan.Hop{Index: s.Hop.Index, From: current, To: s.Hop.From}, Module: "sm.upgrade",
		Args: map[string]string{"media": remote, "sha256": art.SHA256, "rollback": "true"}}
	_, err := r.runModule(ctx, ns, ug, r.task(ns, ug))
	return err
}
