package record

import "testing"

// The index step keeps by ID must give the record a search of Steps gives,
// even after Steps changed under it.
func TestStepIndexFollowsSteps(t *testing.T) {
	r := &Run{Steps: []StepRecord{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	if s := r.step(Event{Step: "b"}); s != &r.Steps[1] {
		t.Fatalf("step(b) is not Steps[1]")
	}
	// A new ID is appended once, then found again.
	d := r.step(Event{Step: "d", Node: "n1", Phase: "upgrade"})
	if len(r.Steps) != 4 || d != &r.Steps[3] || d.Status != StepNotRun || d.Node != "n1" {
		t.Fatalf("step(d) = %+v, Steps = %+v", d, r.Steps)
	}
	if r.step(Event{Step: "d"}) != &r.Steps[3] || len(r.Steps) != 4 {
		t.Fatalf("step(d) again appended or moved: %+v", r.Steps)
	}
	// Steps reordered and replaced from outside: no stale position is used.
	r.Steps = []StepRecord{{ID: "c"}, {ID: "d"}, {ID: "b"}}
	for i, id := range []string{"c", "d", "b"} {
		if s := r.step(Event{Step: id}); s != &r.Steps[i] {
			t.Fatalf("after reorder, step(%s) is not Steps[%d]", id, i)
		}
	}
	if len(r.Steps) != 3 {
		t.Fatalf("reorder appended: %+v", r.Steps)
	}
	// Shrunk below a cached position: a is gone and comes back at the end.
	r.Steps = r.Steps[:1]
	if s := r.step(Event{Step: "b"}); s != &r.Steps[1] || len(r.Steps) != 2 {
		t.Fatalf("after shrink, step(b) = %p, Steps = %+v", s, r.Steps)
	}
	// The first of two records with one ID, as a search finds it.
	r.Steps = []StepRecord{{ID: "x", Node: "first"}, {ID: "x", Node: "second"}}
	if s := r.step(Event{Step: "x"}); s.Node != "first" {
		t.Fatalf("step(x) = %+v, want the first", s)
	}
}
