package rollout_test

import (
	"slices"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
	"github.com/runbook-dev/runbook/schema"
)

// TestKindsHaveData checks that every kind of the table has its data: a
// product in the embedded catalog with lines and an estimate for each of the
// kind's phases, a section in the embedded command profile with the facts
// the engine reads, and a block in the manifest schema.
func TestKindsHaveData(t *testing.T) {
	cat := catalog.Default()
	prof := sm.DefaultProfile()
	if err := prof.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range rollout.Kinds() {
		spec := k.Spec()
		if p := cat.Product(spec.Product); p == nil || len(p.Lines) == 0 {
			t.Errorf("%s: product %q has no line in schema/catalog.hcl", k, spec.Product)
		} else {
			for _, ph := range spec.Phases {
				if _, ok := p.Estimates[string(ph)]; !ok {
					t.Errorf("%s: the catalog has no estimate of %s for %s", k, ph, spec.Product)
				}
			}
		}
		if prof.Kinds[string(k)] == nil {
			t.Errorf("%s has no kind section in schema/profile.hcl", k)
		}
		for _, action := range []string{"release", "ssp", "service_state", "services"} {
			if !prof.Has(string(k), action) {
				t.Errorf("%s: the profile has no %s command", k, action)
			}
		}
		if spec.CarriesCalls && !prof.Has(string(k), "active_calls") {
			t.Errorf("%s carries calls but the profile cannot count them", k)
		}
		if spec.CanDrain && (!prof.Has(string(k), "deny_new_service") || !prof.Has(string(k), "accept_new_service")) {
			t.Errorf("%s can be drained but the profile has no deny/accept command", k)
		}
		parent := schema.Root
		if spec.InCluster() {
			parent = schema.Cluster
		}
		if !slices.ContainsFunc(parent.Blocks, func(b hcl.BlockHeaderSchema) bool { return b.Type == string(k) }) {
			t.Errorf("%s: the manifest schema (schema/blocks.go) has no block for it", k)
		}
		if !slices.Contains(sm.Kinds, string(k)) {
			t.Errorf("%s: a profile may not describe it (sm.Kinds)", k)
		}
	}
	if !slices.Equal(schema.Products, rollout.Products()) {
		t.Errorf("schema.Products %v, table %v", schema.Products, rollout.Products())
	}
}

// TestPhasesKnown checks that every phase of the table has a position and is
// known to the manifest schema, in the same order, with the module the
// planner gives its steps; and that the simulator faults only phases.
func TestPhasesKnown(t *testing.T) {
	if !slices.Equal(schema.Phases, rollout.PhaseNames()) {
		t.Errorf("schema.Phases %v, table %v", schema.Phases, rollout.PhaseNames())
	}
	for i, p := range rollout.Phases() {
		if p.Position() != i {
			t.Errorf("%s: position %d, want %d", p, p.Position(), i)
		}
		if _, ok := registry.Spec("sm." + string(p)); !ok {
			t.Errorf("%s: no module sm.%s in the module registry", p, p)
		}
	}
	for _, p := range sim.Phases {
		if !rollout.Phase(p).Known() {
			t.Errorf("the simulator faults %q, which is not a phase", p)
		}
	}
}
