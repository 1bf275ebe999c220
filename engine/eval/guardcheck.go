package eval

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// factTypes are the types of facts.* (see FactNames and the facts the
// sm.facts module gathers): services maps a service name to up or down,
// disk_free_mb a mount point to MiB free.
var factTypes = map[string]cty.Type{
	"release": cty.String, "ssp": cty.Number, "service_state": cty.String,
	"active_calls": cty.Number, "services": cty.Map(cty.String), "disk_free_mb": cty.Map(cty.Number),
	"clock": cty.String, "uds_backup": cty.String, "users": cty.Number, "data_digest": cty.String,
}

// unknownNodeContext is the context of a guard before any node is known:
// node.* and facts.* hold unknown values of their real types, so evaluating
// an expression in it finds every type error (an object compared with a
// number, a condition that is not a bool) without knowing a value.
func (e *evaluator) unknownNodeContext() *hcl.EvalContext {
	node := make(map[string]cty.Value, len(NodeAttrs))
	for _, name := range NodeAttrs {
		node[name] = cty.UnknownVal(cty.String)
	}
	facts := make(map[string]cty.Value, len(factTypes))
	for name, ty := range factTypes {
		facts[name] = cty.UnknownVal(ty)
	}
	ctx := e.ctx.NewChild()
	ctx.Variables = map[string]cty.Value{"node": cty.ObjectVal(node), "facts": cty.ObjectVal(facts)}
	return ctx
}

// checkGuard evaluates a guard's condition and message for every node at
// once, with unknown node and facts values, so that a condition that can
// never be true or false, or a message that can never be text, is found by
// validate rather than at the guard's first check during apply, when a node
// may already be drained.
func (e *evaluator) checkGuard(g *Guard) {
	ctx := e.unknownNodeContext()
	if g.Condition != nil {
		v, diags := g.Condition.Value(ctx)
		e.diags = append(e.diags, diags...)
		if !diags.HasErrors() {
			v, _ = v.UnmarkDeep()
			if (v.IsKnown() && v.IsNull()) || (v.Type() != cty.Bool && v.Type() != cty.DynamicPseudoType) {
				what := "null"
				if !v.IsNull() {
					what = v.Type().FriendlyName()
				}
				e.errorf(g.Condition.Range().Ptr(), "Invalid guard condition",
					"The condition gives %s, but a guard condition must be true or false. Write a comparison, such as facts.disk_free_mb[\"/var\"] > 4096 or facts.service_state == \"accepting\".", what)
			}
		}
	}
	if g.Message != nil {
		v, diags := g.Message.Value(ctx)
		e.diags = append(e.diags, diags...)
		if !diags.HasErrors() {
			v, _ = v.UnmarkDeep()
			if _, err := convert.Convert(v, cty.String); err != nil {
				e.errorf(g.Message.Range().Ptr(), "Invalid guard message",
					"The message gives %s, but it must be text: %s. Use format() or a template such as \"only ${facts.disk_free_mb[\"/var\"]} MiB free\".", v.Type().FriendlyName(), err)
			}
		}
	}
}
