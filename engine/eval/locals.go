package eval

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// evalLocals evaluates the locals in dependency order, whatever order they
// were written in, and reports reference cycles. A local that cannot be
// evaluated gets an unknown value, which quietly stops the errors that would
// follow from it.
//
// The work is linear in the size of the locals: the order is a topological
// sort over the references (iterative, so a long chain cannot exhaust the
// stack), and each local is evaluated against an object holding only the
// locals it refers to, never against all of them.
func (e *evaluator) evalLocals() cty.Value {
	locals := e.m.Locals
	index := make(map[string]int, len(locals))
	for i, a := range locals {
		index[a.Name] = i
	}
	// deps[i] are the declared locals local i refers to (each once);
	// users[j] the locals that refer to j.
	deps := make([][]int, len(locals))
	users := make([][]int, len(locals))
	pending := make([]int, len(locals))
	for i, a := range locals {
		seen := map[int]bool{}
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			dep, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				continue
			}
			if j, declared := index[dep.Name]; declared && !seen[j] {
				seen[j] = true
				deps[i] = append(deps[i], j)
				users[j] = append(users[j], i)
			}
		}
		pending[i] = len(deps[i])
	}

	vals := make([]cty.Value, len(locals))
	done := make([]bool, len(locals))
	var ready []int
	for i := range locals {
		if pending[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		vals[i] = e.evalLocal(locals[i], deps[i], vals)
		done[i] = true
		for _, u := range users[i] {
			if pending[u]--; pending[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	e.localCycles(deps, done, vals)

	obj := make(map[string]cty.Value, len(locals))
	for i, a := range locals {
		obj[a.Name] = vals[i]
	}
	return cty.ObjectVal(obj)
}

// evalLocal evaluates one local whose dependencies are all evaluated, in a
// context whose local object holds just those dependencies.
func (e *evaluator) evalLocal(a *hcl.Attribute, deps []int, vals []cty.Value) cty.Value {
	if !e.checkRefs(a.Expr, refsStatic, "") {
		return cty.DynamicVal
	}
	scope := make(map[string]cty.Value, len(deps))
	for _, j := range deps {
		scope[e.m.Locals[j].Name] = vals[j]
	}
	ctx := e.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{"local": cty.ObjectVal(scope)}
	v, diags := a.Expr.Value(ctx)
	e.diags = append(e.diags, diags...)
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// localCycles handles the locals the topological sort left over: each one
// is in a reference cycle or depends on one. Every cycle is reported once,
// at the local where a walk along the references (started from the locals
// in file order) closes it; all left-over locals become unknown. Each local is walked at most once, so this is linear too.
func (e *evaluator) localCycles(deps [][]int, done []bool, vals []cty.Value) {
	const (
		unvisited = iota
		onPath
		finished
	)
	state := make([]int, len(deps))
	for start := range deps {
		if done[start] || state[start] != unvisited {
			continue
		}
		// Follow left-over references from start: every left-over local
		// refers to at least one other left-over local, so the walk ends on
		// the current path (a new cycle) or on a local already finished (a
		// cycle reported before).
		var path []int
		at := start
		for state[at] == unvisited {
			state[at] = onPath
			path = append(path, at)
			next := -1
			for _, j := range deps[at] {
				if !done[j] {
					next = j
					break
				}
			}
			at = next
		}
		if state[at] == onPath {
			k := 0
			for path[k] != at {
				k++
			}
			names := make([]string, 0, len(path)-k+1)
			for _, i := range path[k:] {
				names = append(names, e.m.Locals[i].Name)
			}
			names = append(names, e.m.Locals[at].Name)
			e.errorf(e.m.Locals[at].NameRange.Ptr(), "Circular reference in locals",
				"The local values refer to each other in a loop: local.%s. Break the loop by computing one of them without the others.",
				strings.Join(names, " → local."))
		}
		for _, i := range path {
			state[i] = finished
			vals[i] = cty.DynamicVal
		}
	}
}
