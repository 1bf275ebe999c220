// Package dag is the small directed graph the planner builds steps into:
// vertices by id, edges from a dependency to its dependent, a deterministic
// cycle report and a stable topological order. The concurrency of a walk
// lives one layer above (engine/exec); this type only knows structure.
package dag

import (
	"sort"
	"strings"
)

// Graph is a directed graph of string ids. Edges point from a dependency to
// the vertex that depends on it. Insertion order is remembered so every
// answer is stable.
type Graph struct {
	ids   []string
	index map[string]int
	deps  map[string]map[string]bool // vertex -> its dependencies
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{index: map[string]int{}, deps: map[string]map[string]bool{}}
}

// Add adds a vertex; adding it again is a no-op.
func (g *Graph) Add(id string) {
	if _, ok := g.index[id]; ok {
		return
	}
	g.index[id] = len(g.ids)
	g.ids = append(g.ids, id)
	g.deps[id] = map[string]bool{}
}

// Has reports whether the vertex exists.
func (g *Graph) Has(id string) bool { _, ok := g.index[id]; return ok }

// Connect records that to depends on from, adding both vertices if needed.
// A self edge is ignored.
func (g *Graph) Connect(from, to string) {
	g.Add(from)
	g.Add(to)
	if from != to {
		g.deps[to][from] = true
	}
}

// Vertices returns every vertex in insertion order.
func (g *Graph) Vertices() []string { return append([]string(nil), g.ids...) }

// DependsOn returns a vertex's direct dependencies in insertion order.
func (g *Graph) DependsOn(id string) []string {
	var out []string
	for d := range g.deps[id] {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return g.index[out[i]] < g.index[out[j]] })
	return out
}

// TopoOrder returns a topological order: among ready vertices the one with
// the lowest priority value goes first (ties by insertion order). A nil
// priority means insertion order. When the graph has cycles, ok is false and
// the order holds only the vertices outside them.
func (g *Graph) TopoOrder(priority func(id string) int) (order []string, ok bool) {
	pending := map[string]int{}
	users := map[string][]string{}
	for _, id := range g.ids {
		pending[id] = len(g.deps[id])
		for d := range g.deps[id] {
			users[d] = append(users[d], id)
		}
	}
	less := func(a, b string) bool {
		if priority != nil {
			if pa, pb := priority(a), priority(b); pa != pb {
				return pa < pb
			}
		}
		return g.index[a] < g.index[b]
	}
	var ready []string
	for _, id := range g.ids {
		if pending[id] == 0 {
			ready = append(ready, id)
		}
	}
	for len(ready) > 0 {
		sort.SliceStable(ready, func(i, j int) bool { return less(ready[i], ready[j]) })
		id := ready[0]
		ready = ready[1:]
		order = append(order, id)
		for _, u := range users[id] {
			pending[u]--
			if pending[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return order, len(order) == len(g.ids)
}

// Cycles returns every cycle (strongly connected component of more than one
// vertex), each as its vertex names sorted, the list sorted by first name, so
// a report never depends on map order.
func (g *Graph) Cycles() [][]string {
	// Tarjan's algorithm over vertices in sorted order.
	names := append([]string(nil), g.ids...)
	sort.Strings(names)
	idx, low := map[string]int{}, map[string]int{}
	on := map[string]bool{}
	var stack []string
	var out [][]string
	n := 0
	var strong func(v string)
	strong = func(v string) {
		idx[v], low[v] = n, n
		n++
		stack = append(stack, v)
		on[v] = true
		deps := g.DependsOn(v)
		sort.Strings(deps)
		for _, w := range deps {
			if _, seen := idx[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				sort.Strings(comp)
				out = append(out, comp)
			}
		}
	}
	for _, v := range names {
		if _, seen := idx[v]; !seen {
			strong(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}
