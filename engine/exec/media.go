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

// GuardArtifactRelease refuses a hop whose medium on the node is not the one
// the hop installs: another release, product or kind, or SSP level.
const GuardArtifactRelease = guard.ArtifactRelease

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

// verifyMedium re-reads, on the node, the medium the step's hop installs:
// its sha256 (unless the upload just checked it: sum false) and what it
// declares. It runs after the upload and again before the node is drained
// (before System Manager's change, which has no drain), so a medium of the
// wrong release, or one changed or deleted since it was uploaded (by an
// earlier run, on --resume), is refused while the node still carries calls.
func (r *run) verifyMedium(ctx context.Context, ns *nodeState, s *plan.Step, sum bool) error {
	up := r.uploadOf(ns.name, s.Hop.Index)
	if up == nil || r.changeHeld(ns.name, s.Hop.Index) {
		return nil
	}
	remote, declared := up.Args["remote"], strings.ToLower(up.Args["sha256"])
	if r.opts.DryRun {
		if sum {
			r.guardVerdict(s, ns.name, GuardArtifactRelease, record.VerdictUnknown, "dry-run: "+remote+" is not on the node; read before the drain at apply")
		}
		return nil
	}
	conn, err := r.pool.get(ctx, ns)
	if err != nil {
		return err
	}
	m, err := r.opts.Driver.ReadMedium(ctx, &observed{c: conn, r: r, node: ns.name, step: s.ID}, string(ns.kind), remote)
	var ce *sm.CommandError
	var pe *sm.ParseError
	switch {
	case err != nil && (errors.As(err, &ce) || errors.As(err, &pe)) && ctx.Err() == nil:
		return r.check(s, ns.name, GuardArtifactChecksum, guardErr(GuardArtifactChecksum,
			"medium %s (artifact %s) cannot be read on %s: %v", remote, up.Args["artifact"], ns.name, err), "")
	case err != nil:
		return err
	}
	if sum {
		if err := r.check(s, ns.name, GuardArtifactChecksum, checkRemoteSum(m, remote, declared), remote+" on the node, sha256 matches"); err != nil {
			return err
		}
	}
	if !m.Described {
		r.guardVerdict(s, ns.name, GuardArtifactRelease, record.VerdictUnknown, "the profile has no media_info action: "+remote+" not read")
		return nil
	}
	want := r.mediumWant(ns, s.Hop)
	return r.check(s, ns.name, GuardArtifactRelease, checkMediumHolds(m, want, remote), fmt.Sprintf("%s holds %s", remote, describeMedium(want)))
}

func checkRemoteSum(m sm.Medium, remote, declared string) error {
	if m.SHA256 != declared {
		return guardErr(GuardArtifactChecksum, "%s on the node does not have the declared sha256 %s (changed since the upload?)", remote, declared)
	}
	return nil
}

func checkMediumHolds(m, want sm.Medium, remote string) error {
	if m.Kind == want.Kind && m.Product == want.Product && m.Release == want.Release && (want.Kind != "ssp" || want.SSP < 0 || m.SSP == want.SSP) {
		return nil
	}
	return guardErr(GuardArtifactRelease, "%s holds %s, but this hop installs %s: check the artifact's file and release",
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
