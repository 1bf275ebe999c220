package eval

import (
	"maps"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/schema"
)

// requiredArgs are the module arguments a user step must give.
var requiredArgs = map[string][]string{
	"shell": {"command"},
	"copy":  {"source", "destination"},
	"wait":  {"duration"},
}

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
		s.Module, _ = e.enum(b, "module", schema.Modules)
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
// that the module takes them and that their references can resolve.
func (e *evaluator) stepArgs(b *manifest.Block, s *Step) {
	allowed := schema.StepArgs[s.Module]
	for _, a := range manifest.SortedAttrs(b.Attrs) {
		if !isArg(a.Name) {
			continue
		}
		if s.Module != "" && !contains(allowed, a.Name) {
			hint := "It takes no arguments."
			if len(allowed) > 0 {
				hint = "It takes " + quoteList(allowed) + "."
			}
			e.errorf(a.NameRange.Ptr(), "Unsupported argument for module",
				"The %s module does not use %q. %s", s.Module, a.Name, hint)
			continue
		}
		if !e.checkRefs(a.Expr, refsNode, "") {
			continue
		}
		s.Args[a.Name] = a.Expr
		if a.Name == "duration" && e.static(a.Expr) {
			if v, ok := e.str(b, "duration"); ok {
				e.parseDuration(v, a.Expr.Range(), false)
			}
		}
	}
	for _, req := range requiredArgs[s.Module] {
		if b.Attr(req) == nil {
			e.errorf(b.DeclRange.Ptr(), "Missing required argument",
				"The %s module needs %q; add %s = … to the step.", s.Module, req, req)
		}
	}
}

func isArg(name string) bool {
	for _, args := range schema.StepArgs {
		if contains(args, name) {
			return true
		}
	}
	return false
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
