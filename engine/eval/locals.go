package eval

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// locals evaluates the locals in dependency order, whatever order they were
// written in, and reports reference cycles. A local that cannot be evaluated
// gets an unknown value, which quietly stops the errors that would follow
// from it.
func (e *evaluator) evalLocals() cty.Value {
	attrs := map[string]*hcl.Attribute{}
	for _, a := range e.m.Locals {
		attrs[a.Name] = a
	}
	vals := map[string]cty.Value{}
	state := map[string]int{} // 0 new, 1 in progress, 2 done
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		switch state[name] {
		case 2:
			return
		case 1:
			i := 0
			for i < len(stack) && stack[i] != name {
				i++
			}
			cycle := append(append([]string(nil), stack[i:]...), name)
			e.errorf(attrs[name].NameRange.Ptr(), "Circular reference in locals",
				"The local values refer to each other in a loop: local.%s. Break the loop by computing one of them without the others.",
				strings.Join(cycle, " → local."))
			for _, n := range cycle {
				vals[n] = cty.DynamicVal
			}
			return
		}
		state[name] = 1
		stack = append(stack, name)
		a := attrs[name]
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			if dep, ok := tr[1].(hcl.TraverseAttr); ok && attrs[dep.Name] != nil {
				visit(dep.Name)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = 2
		if _, poisoned := vals[name]; poisoned {
			return
		}
		e.ctx.Variables["local"] = cty.ObjectVal(vals)
		if !e.checkRefs(a.Expr, refsStatic, "") {
			vals[name] = cty.DynamicVal
			return
		}
		v, diags := a.Expr.Value(e.ctx)
		e.diags = append(e.diags, diags...)
		if diags.HasErrors() {
			v = cty.DynamicVal
		}
		vals[name] = v
	}
	for _, a := range e.m.Locals {
		visit(a.Name)
	}
	return cty.ObjectVal(vals)
}
