// Package rollout names the kinds of node runbook upgrades and the phases a
// hop goes through, each in one table with its properties. Everything else
// (the manifest schema, the catalog, the command profile, the planner, the
// executor, the dry-run predictor, the simulator) reads these tables instead
// of spelling a kind or a phase, or switching on one, itself. It imports
// nothing of the project, so the modules may use it as well as the engine.
package rollout

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is a node kind, spelled as the manifest's block of that node.
type Kind string

// Node kinds.
const (
	KindSM   Kind = "session_manager"
	KindBSM  Kind = "branch_session_manager"
	KindSMGR Kind = "system_manager"
)

// Catalog products: a kind's releases, hops, media and backups are those of
// its product (schema/catalog.hcl).
const (
	ProductSM   = "session_manager" // Session Manager and Branch Session Manager
	ProductSMGR = "system_manager"
)

// KindSpec is what the engine needs to know of a node kind.
type KindSpec struct {
	Kind Kind
	// Product is the catalog product whose lines, hops and media the kind uses.
	Product string
	// Core is a core Session Manager: it counts toward the catalog's
	// cluster size and may be another node's secondary.
	Core bool
	// Branch is a Branch Session Manager: never above its cluster's core.
	Branch bool
	// CarriesCalls says the node serves phones: its drain waits for active
	// calls and the out-of-service rule counts it.
	CarriesCalls bool
	// CanDrain says the node has Deny/Accept New Service: its hops have a
	// drained window (drain … undrain).
	CanDrain bool
	// Phases are the phases a hop of the kind may go through, in table order.
	Phases []Phase
}

// kinds is THE table of node kinds. Adding a kind is a row here plus its
// data: a product section in schema/catalog.hcl (when Product is new), a
// kind section in schema/profile.hcl, and the manifest block's body schema
// in schema/blocks.go. TestKindsHaveData checks the data is there.
var kinds = []KindSpec{
	{Kind: KindSM, Product: ProductSM, Core: true, CarriesCalls: true, CanDrain: true, Phases: allPhases()},
	{Kind: KindBSM, Product: ProductSM, Branch: true, CarriesCalls: true, CanDrain: true, Phases: allPhases()},
	{Kind: KindSMGR, Product: ProductSMGR, Phases: phasesOutsideDrain()},
}

// Kinds returns every kind, in table order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, s := range kinds {
		out[i] = s.Kind
	}
	return out
}

// KindNames returns every kind as a string, in table order.
func KindNames() []string {
	out := make([]string, len(kinds))
	for i, s := range kinds {
		out[i] = string(s.Kind)
	}
	return out
}

// Products returns the catalog products of the kinds, each once, in table order.
func Products() []string {
	var out []string
	for _, s := range kinds {
		if !slices.Contains(out, s.Product) {
			out = append(out, s.Product)
		}
	}
	return out
}

// Spec returns the row of k; the zero KindSpec (no product, no phases) when
// k is not a kind.
func Spec(k Kind) KindSpec {
	for _, s := range kinds {
		if s.Kind == k {
			return s
		}
	}
	return KindSpec{}
}

// Spec returns the row of k (see Spec).
func (k Kind) Spec() KindSpec { return Spec(k) }

// Known reports whether k is in the table.
func (k Kind) Known() bool { return Spec(k).Kind == k && k != "" }

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, error) {
	if k := Kind(s); k.Known() {
		return k, nil
	}
	return "", fmt.Errorf("unknown node kind %q (%s)", s, strings.Join(KindNames(), ", "))
}

// InCluster says the kind's blocks are inside a cluster block: Session
// Managers and Branch Session Managers, not System Manager.
func (s KindSpec) InCluster() bool { return s.Core || s.Branch }

// Has reports whether a hop of the kind may go through phase p.
func (s KindSpec) Has(p Phase) bool { return slices.Contains(s.Phases, p) }

// allPhases are the phases of a node that drains: every phase but those of a
// geo-redundant System Manager pair.
func allPhases() []Phase {
	var out []Phase
	for _, s := range phases {
		if !s.Pair {
			out = append(out, s.Phase)
		}
	}
	return out
}

// phasesOutsideDrain are the phases of a node that has no drain: every
// phase but those that open and close the drained window.
func phasesOutsideDrain() []Phase {
	var out []Phase
	for _, s := range phases {
		if s.Effect != EffectDeny && s.Effect != EffectAccept {
			out = append(out, s.Phase)
		}
	}
	return out
}
