package eval

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// NodeContext derives from base (Config.Ctx) the context in which a user
// step's arguments and a guard's condition and message are evaluated for node
// n: node.{name,kind,cluster,host,release,target,platform} and facts.* from
// facts (the gathered or predicted facts of n; nil gives an empty facts
// object). node.target is n's own target, or the runbook target when n has
// none; pass base from a Config so that it holds var.*, local.* and the
// functions.
func NodeContext(base *hcl.EvalContext, n *Node, facts map[string]cty.Value) *hcl.EvalContext {
	if base == nil {
		base = &hcl.EvalContext{Functions: Functions()}
	}
	ctx := base.NewChild()
	node := map[string]cty.Value{
		"name": cty.StringVal(n.Name), "kind": cty.StringVal(string(n.Kind)), "cluster": cty.StringVal(n.Cluster),
		"host": cty.StringVal(n.Host), "release": cty.StringVal(n.Release),
		"target": cty.StringVal(n.Target), "platform": cty.StringVal(n.Platform),
	}
	if facts == nil {
		facts = map[string]cty.Value{}
	}
	ctx.Variables = map[string]cty.Value{"node": cty.ObjectVal(node), "facts": cty.ObjectVal(facts)}
	return ctx
}

// NodeContextFor is NodeContext with node.target defaulted to the runbook
// target, the way the planner resolves it.
func (c *Config) NodeContextFor(n *Node, facts map[string]cty.Value) *hcl.EvalContext {
	m := *n
	if m.Target == "" {
		m.Target = c.Runbook.Target
	}
	return NodeContext(c.Ctx, &m, facts)
}

// EvalString evaluates expr in ctx as a string. A null or unknown result is
// an error. Sensitive marks are dropped: the value is already in
// Config.Secrets, and the redactor keeps it out of output.
func EvalString(expr hcl.Expression, ctx *hcl.EvalContext) (string, hcl.Diagnostics) {
	v, diags := evalAs(expr, ctx, cty.String, "a string")
	if diags.HasErrors() {
		return "", diags
	}
	return v.AsString(), diags
}

// EvalBool evaluates expr in ctx as a bool (a guard condition).
func EvalBool(expr hcl.Expression, ctx *hcl.EvalContext) (bool, hcl.Diagnostics) {
	v, diags := evalAs(expr, ctx, cty.Bool, "true or false")
	if diags.HasErrors() {
		return false, diags
	}
	return v.True(), diags
}

func evalAs(expr hcl.Expression, ctx *hcl.EvalContext, ty cty.Type, what string) (cty.Value, hcl.Diagnostics) {
	if expr == nil {
		return cty.NilVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing expression", Detail: "No expression to evaluate."}}
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	v, _ = v.UnmarkDeep()
	rng := expr.Range().Ptr()
	if !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value",
			Detail: "The expression has no value (null or not yet known); it must give " + what + ".", Subject: rng})
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NilVal, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect value type",
			Detail: "The expression must give " + what + ": " + err.Error() + ".", Subject: rng})
	}
	return cv, diags
}
