package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
)

// uploadOf returns the plan's upload step of the node's hop, nil when the
// hop uploads nothing.
func (r *run) uploadOf(node string, hop int) *plan.Step {
	for _, s := range r.p.Steps {
		if s.Node == node && s.Hop.Index == hop && s.Phase == plan.PhaseUpload && !s.User && s.Args["remote"] != "" {
			return s
		}
	}
	return nil
}

// changeHeld reports whether, on --resume, the hop's change is already on
// the node: its medium is no longer needed.
func (r *run) changeHeld(node string, hop int) bool {
	for _, s := range r.steps {
		if s.Node == node && s.Hop.Index == hop && !s.User &&
			s.Phase.Spec().Medium && r.isHeld(s.ID) {
			return true
		}
	}
	return false
}

// mediumWant is what the hop's medium must declare: an SSP pass installs the
// SSP of its step on the hop's release, any other hop the release it goes to.
func (r *run) mediumWant(ns *nodeState, hop plan.Hop) sm.Medium {
	product := ns.kind.Spec().Product
	if hop.Index == 0 {
		lvl := -1
		for _, s := range r.p.Steps {
			if s.Node == ns.name && s.Hop.Index == 0 && s.Phase == plan.PhaseSSP {
				lvl = argInt(s.Args, "ssp", -1)
			}
		}
		return sm.Medium{Kind: "ssp", Product: product, Release: hop.From, SSP: lvl}
	}
	return sm.Medium{Kind: "release", Product: product, Release: hop.To}
}

// mediumRead is the hop's medium as read on the node, once per step.
type mediumRead struct {
	up       *plan.Step // the hop's upload step; nil: nothing to read
	m        sm.Medium
	err      error // a refusal (artifact.checksum) or the read's own failure
	remote   string
	declared string
}

// mediumApplies says whether the medium guards judge this step: after the
// upload and before the drain; before System Manager's ssp or upgrade (it
// has no drain).
func mediumApplies(e *guardEnv) bool {
	switch e.s.Phase {
	case plan.PhaseUpload, plan.PhaseDrain:
		return true
	}
	return !e.ns.kind.Spec().CanDrain
}

// readMedium re-reads, on the node, the medium the step's hop installs:
// its sha256 and what it declares. It runs after the upload and again
// before the node is drained (before System Manager's change), so a medium
// of the wrong release, or one changed or deleted since it was uploaded (by
// an earlier run, on --resume), is refused while the node still carries
// calls. Nil when there is nothing to read (no upload, the change already on
// the node, a dry-run).
func (r *run) readMedium(ctx context.Context, e *guardEnv) *mediumRead {
	if e.medium != nil {
		return e.medium
	}
	ns, s := e.ns, e.s
	mr := &mediumRead{up: r.uploadOf(ns.name, s.Hop.Index)}
	e.medium = mr
	if mr.up == nil || r.changeHeld(ns.name, s.Hop.Index) {
		mr.up = nil
		return mr
	}
	mr.remote, mr.declared = mr.up.Args["remote"], strings.ToLower(mr.up.Args["sha256"])
	if r.opts.DryRun {
		return mr
	}
	conn, err := r.pool.get(ctx, ns)
	if err != nil {
		mr.err = err
		return mr
	}
	mr.m, err = r.opts.Driver.ReadMedium(ctx, &observed{c: conn, r: r, node: ns.name, step: s.ID}, string(ns.kind), mr.remote)
	var ce *sm.CommandError
	var pe *sm.ParseError
	switch {
	case err != nil && (errors.As(err, &ce) || errors.As(err, &pe)) && ctx.Err() == nil:
		mr.err = r.check(s, ns.name, guard.ArtifactChecksum, guardErr(guard.ArtifactChecksum,
			"medium %s (artifact %s) cannot be read on %s: %v", mr.remote, mr.up.Args["artifact"], ns.name, err), "")
	case err != nil:
		mr.err = err
	}
	return mr
}

// mediumSumGuard is artifact.checksum on the node: before the drain (and
// System Manager's change) the medium must still have its declared sha256.
// After the upload it judges what the module saw (the module checked the
// sha256 on both ends of the transfer).
func (r *run) mediumSumGuard(ctx context.Context, e *guardEnv) error {
	if e.s.Phase == plan.PhaseUpload {
		return r.judgeUnmet(e, guard.ArtifactChecksum, sm.ObsChecksum)
	}
	if !mediumApplies(e) {
		return nil
	}
	mr := r.readMedium(ctx, e)
	if mr.up == nil || r.opts.DryRun || mr.err != nil {
		return mr.err
	}
	return r.check(e.s, e.ns.name, guard.ArtifactChecksum, checkRemoteSum(mr.m, mr.remote, mr.declared), mr.remote+" on the node, sha256 matches")
}

// mediumReleaseGuard is artifact.release: the medium on the node declares
// the kind, product, release and SSP level the hop installs.
func (r *run) mediumReleaseGuard(ctx context.Context, e *guardEnv) error {
	if !mediumApplies(e) {
		return nil
	}
	ns, s := e.ns, e.s
	mr := r.readMedium(ctx, e)
	switch {
	case mr.up == nil:
		return nil
	case r.opts.DryRun:
		if s.Phase != plan.PhaseUpload {
			r.guardVerdict(s, ns.name, guard.ArtifactRelease, record.VerdictUnknown, "dry-run: "+mr.remote+" is not on the node; read before the drain at apply")
		}
		return nil
	case mr.err != nil:
		return mr.err
	case !mr.m.Described:
		r.guardVerdict(s, ns.name, guard.ArtifactRelease, record.VerdictUnknown, "the profile has no media_info action: "+mr.remote+" not read")
		return nil
	}
	want := r.mediumWant(ns, s.Hop)
	return r.check(s, ns.name, guard.ArtifactRelease, checkMediumHolds(mr.m, want, mr.remote), fmt.Sprintf("%s holds %s", mr.remote, describeMedium(want)))
}

func checkRemoteSum(m sm.Medium, remote, declared string) error {
	if m.SHA256 != declared {
		return guardErr(guard.ArtifactChecksum, "%s on the node does not have the declared sha256 %s (changed since the upload?)", remote, declared)
	}
	return nil
}

func checkMediumHolds(m, want sm.Medium, remote string) error {
	if m.Kind == want.Kind && m.Product == want.Product && m.Release == want.Release && (want.Kind != "ssp" || want.SSP < 0 || m.SSP == want.SSP) {
		return nil
	}
	return guardErr(guard.ArtifactRelease, "%s holds %s, but this hop installs %s: check the artifact's file and release",
		remote, describeMedium(m), describeMedium(want))
}

func describeMedium(m sm.Medium) string {
	if m.Kind == "ssp" {
		if m.SSP < 0 {
			return fmt.Sprintf("the latest SSP medium for %s %s", m.Product, m.Release)
		}
		return fmt.Sprintf("the SSP %d medium for %s %s", m.SSP, m.Product, m.Release)
	}
	return fmt.Sprintf("the %s %s %s medium", m.Product, m.Release, m.Kind)
}
