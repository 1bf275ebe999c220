package plan

import (
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine/guard"
)

// rollbackMedia refuses on_failure = "rollback" when a node's rollback
// could not work: a hop that changes the release is undone by installing
// the hop's source release again (its medium must be an artifact of the
// manifest) and then restoring the pre-upgrade backup onto it. Without
// that medium the backup would have to be restored onto the new release,
// which the executor refuses, so the failed node would stay half-changed.
// An SSP pass keeps the release: its backup is enough.
func (b *builder) rollbackMedia() {
	if b.cfg.Runbook.Policy.OnFailure != "rollback" {
		return
	}
	type need struct {
		product, release string
		nodes            []*nodeState
	}
	byKey := map[string]*need{}
	var order []string
	for _, ns := range b.nodes {
		for _, u := range ns.units() {
			if u.ssp || b.hasReleaseMedium(ns.product, u.from) {
				continue
			}
			key := ns.product + "|" + u.from
			n := byKey[key]
			if n == nil {
				n = &need{product: ns.product, release: u.from}
				byKey[key] = n
				order = append(order, key)
			}
			if len(n.nodes) == 0 || n.nodes[len(n.nodes)-1] != ns {
				n.nodes = append(n.nodes, ns)
			}
		}
	}
	for _, key := range order {
		n := byKey[key]
		var names []string
		for _, ns := range n.nodes {
			names = append(names, ns.n.Name)
		}
		hint := fmt.Sprintf("Add an artifact block with kind = \"release\", product = %q, release = %q, file and sha256, or set policy.on_failure = \"halt\".",
			n.product, n.release)
		b.addGuard(guard.RollbackMedia, n.nodes[0].n.Name, n.nodes[0].n.Range,
			"on_failure = \"rollback\" needs the %s %s media to roll back %s, and no artifact provides it", hint,
			n.product, n.release, strings.Join(names, ", "))
	}
}

// hasReleaseMedium reports whether an artifact provides the release medium
// of product at release.
func (b *builder) hasReleaseMedium(product, release string) bool {
	for _, a := range b.cfg.Artifacts {
		if a.Kind == "release" && a.Release == release && (a.Product == "" || a.Product == product) {
			return true
		}
	}
	return false
}
