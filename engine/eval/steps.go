package eval

import (
	"maps"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/schema"
)

func (e *evaluator) steps() {
	names := map[string]bool{}
	for _, b := range e.m.Steps {
		names[b.Name] = true
	}
	var nodeNames []string
	for _, n := range e.cfg.AllNodes() {
		nodeNames = append(nodeNames, n.Name)
	}
	for _, b := range e.m.Steps {
		s := &Step{Name: b.Name, Range: b.DeclRange, Args: map[string]hcl.Expression{}, Nodes: []string{"*"}}
		s.Module, _ = e.enum(b, "module", registry.Names())
		if v, ok := e.strList(b, "nodes"); ok {
			s.Nodes = v
			e.patterns(b, v, nodeNames)
		}
		s.Before = e.phaseAttr(b, "before")
		s.After = e.phaseAttr(b, "after")
		if b.Attr("before") != nil && b.Attr("after") != nil {
			e.errorf(b.Attr("after").NameRange.Ptr(), "Conflicting step placement",
				"A step runs either before or after a phase, not both; remove one of them, or split the step in two.")
		}
		s.DependsOn = e.dependsOn(b, names)
		e.stepArgs(b, s)
		e.cfg.Steps = append(e.cfg.Steps, s)
	}
}

// patterns checks the node globs of a step: valid syntax, and a warning for a
// pattern that matches no node (most often a typo).
func (e *evaluator) patterns(b *manifest.Block, pats, nodes []string) {
	rng := b.Attr("nodes").Expr.Range().Ptr()
	for _, p := range pats {
		if _, err := path.Match(p, ""); err != nil {
			e.errorf(rng, "Invalid node pattern", "%q is not a valid glob: %s. Use node names, * and ?.", p, err)
			continue
		}
		matched := false
		for _, n := range nodes {
			if ok, _ := path.Match(p, n); ok {
				matched = true
				break
			}
		}
		if !matched {
			e.warnf(rng, "Node pattern matches no node",
				"No node is named like %q, so the step runs nowhere for it.%s", p, suggest(p, nodes))
		}
	}
}

// dependsOn reads depends_on = [step.a, step.b] (or step names as strings).
func (e *evaluator) dependsOn(b *manifest.Block, names map[string]bool) []string {
	attr := b.Attr("depends_on")
	if attr == nil {
		return nil
	}
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		e.errorf(attr.Expr.Range().Ptr(), "Invalid depends_on", "depends_on is a list of steps, such as [step.notify-noc].")
		return nil
	}
	var out []string
	for _, x := range exprs {
		name := ""
		if tr, d := hcl.AbsTraversalForExpr(x); !d.HasErrors() {
			if len(tr) == 2 && tr.RootName() == "step" {
				if a, ok := tr[1].(hcl.TraverseAttr); ok {
					name = a.Name
				}
			}
		} else if v, d := x.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			name = v.AsString()
		}
		switch {
		case name == "":
			e.errorf(x.Range().Ptr(), "Invalid depends_on", "Refer to another step as step.NAME.")
		case name == b.Name:
			e.errorf(x.Range().Ptr(), "Step depends on itself", "Remove step.%s from its own depends_on.", name)
		case !names[name]:
			e.errorf(x.Range().Ptr(), "Reference to undeclared step",
				"No step block is named %q.%s", name, suggest(name, slices.Sorted(maps.Keys(names))))
		default:
			out = append(out, name)
		}
	}
	return out
}

// stepArgs keeps the module's own arguments as expressions, after checking
// them against the module's Spec: every argument known to the module, every
// required one given, and a value of the right type where it can be known
// before a node is (an argument may use node.* and facts.*).
func (e *evaluator) stepArgs(b *manifest.Block, s *Step) {
	spec, known := registry.Spec(s.Module)
	for _, a := range manifest.SortedAttrs(b.Attrs) {
		if isStepAttr(a.Name) {
			continue
		}
		if !known {
			continue // the module itself is wrong, and reported
		}
		arg, ok := spec.Arg(a.Name)
		if !ok {
			e.unsupportedArg(spec, a)
			continue
		}
		if !e.checkRefs(a.Expr, refsNode, "") {
			continue
		}
		s.Args[a.Name] = a.Expr
		if e.static(a.Expr) {
			e.argType(b, a, s.Module, arg)
		}
	}
	if !known {
		return
	}
	for _, arg := range spec.Args {
		if arg.Required && b.Attr(arg.Name) == nil {
			e.errorf(b.DeclRange.Ptr(), "Missing required argument",
				"The %s module needs %q; add %s = … to the step.", s.Module, arg.Name, arg.Name)
		}
	}
}

// unsupportedArg reports an argument the module does not take, suggesting the
// nearest of its arguments (or of the attributes every step has).
func (e *evaluator) unsupportedArg(spec modules.Spec, a *hcl.Attribute) {
	names := spec.ArgNames()
	hint := "It takes no arguments."
	if len(names) > 0 {
		hint = "It takes " + quoteList(names) + "."
	}
	e.errorf(a.NameRange.Ptr(), "Unsupported argument for module",
		"The %s module does not use %q.%s %s", spec.Name, a.Name, suggest(a.Name, append(names, stepAttrs()...)), hint)
}

// argType checks the type of an argument whose value is known before any
// node is. An expression that does not evaluate yet (a variable without a
// value) is left to the plan, which evaluates it per node.
func (e *evaluator) argType(b *manifest.Block, a *hcl.Attribute, module string, arg modules.Arg) {
	if arg.Type == modules.Duration {
		if v, ok := e.str(b, a.Name); ok {
			e.parseDuration(v, a.Expr.Range(), false)
		}
		return
	}
	v, diags := a.Expr.Value(e.ctx)
	if diags.HasErrors() {
		return
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() || v.IsNull() {
		return
	}
	if _, err := convert.Convert(v, arg.Type.Cty()); err != nil {
		e.errorf(a.Expr.Range().Ptr(), "Incorrect attribute value type",
			"Inappropriate value for argument %q of the %s module: %s. It must be %s.", a.Name, module, err.Error(), arg.Type)
	}
}

// isStepAttr reports whether name is one of the attributes every step block
// has (module, nodes, before, after, depends_on) rather than a module's.
func isStepAttr(name string) bool {
	return slices.Contains(stepAttrs(), name)
}

func stepAttrs() []string {
	var out []string
	for _, a := range schema.Step.Attributes {
		out = append(out, a.Name)
	}
	return out
}

// static reports whether expr can be evaluated before a node is known.
func (e *evaluator) static(expr hcl.Expression) bool {
	for _, tr := range expr.Variables() {
		if r := tr.RootName(); r == "node" || r == "facts" {
			return false
		}
	}
	return true
}

func (e *evaluator) guards() {
	for _, b := range e.m.Guards {
		g := &Guard{Name: b.Name, Range: b.DeclRange}
		g.Phase = e.phaseAttr(b, "phase")
		if a := b.Attr("condition"); a != nil && e.checkRefs(a.Expr, refsNode, "") {
			g.Condition = a.Expr
		}
		if a := b.Attr("message"); a != nil && e.checkRefs(a.Expr, refsNode, "") {
			g.Message = a.Expr
		}
		e.checkGuard(g)
		e.cfg.Guards = append(e.cfg.Guards, g)
	}
}

func (e *evaluator) lab() {
	if e.m.Lab == nil {
		return
	}
	l := &Lab{Nodes: map[string]*LabNode{}}
	var nodeNames []string
	for _, n := range e.cfg.AllNodes() {
		nodeNames = append(nodeNames, n.Name)
	}
	for _, b := range e.m.Lab.Nodes {
		if e.cfg.NodeByName(b.Name) == nil {
			e.errorf(b.LabelRange.Ptr(), "Reference to undeclared node",
				"The lab sets faults for %q, but no node has that name.%s", b.Name, suggest(b.Name, nodeNames))
		}
		n := &LabNode{Range: b.DeclRange}
		n.ActiveCalls, _ = e.integer(b, "active_calls", 0, 1<<30)
		n.Users, _ = e.integer(b, "users", 0, 1<<30)
		n.Fail = e.phaseAttr(b, "fail")
		n.Disconnect = e.phaseAttr(b, "disconnect")
		n.Hang = e.phaseAttr(b, "hang")
		n.Slow = e.phaseAttr(b, "slow")
		n.DiskFreeMB, _ = e.integer(b, "disk_free_mb", 0, 1<<40)
		if v, ok := e.duration(b, "clock_skew", true); ok {
			n.ClockSkew = v
		}
		n.UDSBackup, _ = e.enum(b, "uds_backup", schema.UDSBackupState)
		n.BlockedPorts, _ = e.intList(b, "blocked_ports", 1, 65535)
		l.Nodes[b.Name] = n
	}
	e.cfg.Lab = l
}
