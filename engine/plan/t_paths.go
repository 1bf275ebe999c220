package plan

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/guard"
)

// altExtra is how many cross-line hops longer than the shortest an
// alternative path may be when the order search needs one.
const altExtra = 2

// pathsTransform finds every node's candidate paths (shortest first), reports
// path.unsupported, path.downgrade, platform.avp and platform.aws, and checks
// that SMGR goes high enough for every SM/BSM (order.smgr_first).
func (b *builder) pathsTransform() {
	for _, ns := range b.nodes {
		if ns.failed {
			continue
		}
		if ns.target == "" || ns.release == "" {
			// The evaluator has already reported the missing or invalid
			// release or target; a second verdict would only repeat it.
			ns.failed = true
			continue
		}
		extra := 0
		if b.cfg.Runbook.Policy.MultiHop && !ns.isSMGR() {
			extra = altExtra
		}
		paths, perr := b.cat.Paths(ns.product, ns.release, ns.target, ns.n.Platform, extra)
		if perr != nil {
			ns.failed = true
			rng := ns.attr("release")
			switch {
			case perr.Rule == guard.PlatformAVP || perr.Rule == guard.PlatformAWS:
				rng = ns.attr("platform")
			case perr.AtTarget || perr.Rule == guard.PathDowngrade:
				rng = b.targetRange(ns)
			case perr.Rule == guard.PathUnknownRelease:
				// the declared (or reported) release is beyond the catalog
			case catalog.LineOf(ns.release) != "" && b.cat.Line(ns.product, ns.release) != nil:
				rng = b.targetRange(ns)
			}
			b.addGuard(perr.Rule, ns.n.Name, rng, fmt.Sprintf("%s: %s", ns.n.Name, perr.Msg), perr.Hint)
			continue
		}
		for _, p := range paths {
			ns.cands = append(ns.cands, candidate{path: p})
		}
	}
	b.smgrGate = b.smgr != nil && !b.smgr.failed
	if !b.smgrGate {
		return
	}
	top := catalog.LineOf(b.smgr.target)
	for _, ns := range b.nodes {
		if ns.isSMGR() || ns.failed || catalog.CompareLines(catalog.LineOf(ns.target), top) <= 0 {
			continue
		}
		b.smgrGate = false
		rng := b.smgr.attr("target")
		b.addGuard(guard.OrderSMGRFirst, ns.n.Name, rng,
			"%s goes to %s but System Manager %s only reaches %s",
			"System Manager is upgraded before any SM/BSM moves to a newer line: raise the system_manager target (or remove it to follow the runbook target).",
			ns.n.Name, ns.target, b.smgr.n.Name, b.smgr.target)
	}
}
