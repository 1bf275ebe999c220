package rollout

import (
	"slices"
	"testing"
)

// TestKindRowsConsistent checks what a new row must get right: a kind's
// phases follow the phase table's order, and a kind that can drain has the
// drained window's ends while one that cannot has neither.
func TestKindRowsConsistent(t *testing.T) {
	seen := map[Kind]bool{}
	for _, s := range kinds {
		if s.Kind == "" || seen[s.Kind] {
			t.Errorf("kind %q is empty or listed twice", s.Kind)
		}
		seen[s.Kind] = true
		if s.Product == "" {
			t.Errorf("%s has no product", s.Kind)
		}
		if s.Core && s.Branch {
			t.Errorf("%s is both core and branch", s.Kind)
		}
		if s.CarriesCalls && !s.CanDrain {
			t.Errorf("%s carries calls but cannot be drained", s.Kind)
		}
		if s.CanDrain != (s.Has(PhaseDrain) && s.Has(PhaseUndrain)) || s.Has(PhaseDrain) != s.Has(PhaseUndrain) {
			t.Errorf("%s: CanDrain %v but phases %v", s.Kind, s.CanDrain, s.Phases)
		}
		if s.CanDrain && (s.Has(PhaseReplicationOff) || s.Has(PhaseReplicationOn)) {
			t.Errorf("%s has a geo-redundant pair's phases", s.Kind)
		}
		last := -1
		for _, p := range s.Phases {
			if p.Position() <= last {
				t.Errorf("%s: phase %q unknown or out of order in %v", s.Kind, p, s.Phases)
			}
			last = p.Position()
		}
	}
}

// TestPhaseRowsConsistent checks the properties that imply one another.
func TestPhaseRowsConsistent(t *testing.T) {
	for i, s := range phases {
		if s.Phase.Position() != i {
			t.Errorf("%q is at %d but Position says %d (listed twice?)", s.Phase, i, s.Phase.Position())
		}
		if (s.Reboots || s.Medium) && !s.Installs() {
			t.Errorf("%s reboots or installs a medium but does not install", s.Phase)
		}
		if s.NewRelease && !s.Medium {
			t.Errorf("%s brings a new release without a medium", s.Phase)
		}
		if s.Installs() != (s.Effect == EffectSSP || s.Effect == EffectRelease || s.Effect == EffectData) {
			t.Errorf("%s: Installs %v but effect %v", s.Phase, s.Installs(), s.Effect)
		}
		// A pair phase runs on System Manager only, which has no window.
		if s.ChangesNode && !s.InWindow && !s.Pair {
			t.Errorf("%s changes the node outside the drained window", s.Phase)
		}
	}
	if PhaseDrain.Spec().Effect != EffectDeny || PhaseUndrain.Spec().Effect != EffectAccept {
		t.Error("drain and undrain must open and close the window")
	}
}

func TestParse(t *testing.T) {
	for _, k := range Kinds() {
		if got, err := ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	for _, p := range Phases() {
		if got, err := ParsePhase(string(p)); err != nil || got != p {
			t.Errorf("ParsePhase(%q) = %q, %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "sm", "Session_Manager", "drain "} {
		if _, err := ParseKind(bad); err == nil {
			t.Errorf("ParseKind(%q) accepted", bad)
		}
		if _, err := ParsePhase(bad); err == nil {
			t.Errorf("ParsePhase(%q) accepted", bad)
		}
	}
	if Phase("my-step").Known() || Phase("my-step").Position() != -1 || Phase("my-step").Spec() != (PhaseSpec{}) {
		t.Error("a user step's name is not a phase")
	}
	if Kind("x").Known() || Kind("").Known() || Spec("x").Product != "" {
		t.Error("an unknown kind has no row")
	}
	got := Products()
	if !slices.Contains(got, ProductSM) || !slices.Contains(got, ProductSMGR) || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
		t.Errorf("Products() = %v", got)
	}
}
