package dag

import (
	"reflect"
	"testing"
)

func TestTopoOrderStable(t *testing.T) {
	g := New()
	for _, v := range []string{"c", "a", "b", "d"} {
		g.Add(v)
	}
	g.Connect("a", "d")
	g.Connect("b", "d")
	order, ok := g.TopoOrder(nil)
	if !ok || !reflect.DeepEqual(order, []string{"c", "a", "b", "d"}) {
		t.Fatalf("order = %v, %v", order, ok)
	}
	prio := map[string]int{"c": 9, "a": 1, "b": 0, "d": 0}
	order, _ = g.TopoOrder(func(id string) int { return prio[id] })
	if !reflect.DeepEqual(order, []string{"b", "a", "d", "c"}) {
		t.Fatalf("priority order = %v", order)
	}
	if !reflect.DeepEqual(g.DependsOn("d"), []string{"a", "b"}) {
		t.Fatalf("DependsOn = %v", g.DependsOn("d"))
	}
}

func TestCyclesReportedByName(t *testing.T) {
	g := New()
	g.Connect("z", "y")
	g.Connect("y", "x")
	g.Connect("x", "z")
	g.Connect("q", "p")
	g.Connect("p", "q")
	g.Connect("x", "free")
	g.Connect("s", "s") // self edges are ignored
	if _, ok := g.TopoOrder(nil); ok {
		t.Fatal("cyclic graph reported acyclic")
	}
	want := [][]string{{"p", "q"}, {"x", "y", "z"}}
	for i := 0; i < 5; i++ {
		if got := g.Cycles(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Cycles = %v, want %v", got, want)
		}
	}
}
