package eval

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// refMode says which roots an expression may reference.
type refMode int

const (
	refsNone   refMode = iota // literals only: variable defaults, -var-file values
	refsSelf                  // var.<own name>: a variable's validation
	refsStatic                // var.* and local.*: everything known before facts
	refsNode                  // also node.* and facts.*: step arguments and guards
)

// NodeAttrs are the attributes of node.* in step arguments and guards.
var NodeAttrs = []string{"name", "kind", "cluster", "host", "release", "target", "platform"}

// FactNames are the attributes of facts.*: the keys of the facts the sm.facts
// module gathers (modules/facts.Facts).
var FactNames = []string{"release", "ssp", "service_state", "active_calls", "services",
	"disk_free_mb", "clock", "uds_backup", "users", "data_digest"}

// checkRefs reports references that cannot resolve in mode: undeclared
// variables and locals, node.* outside steps and guards, unknown roots. It
// returns false when it reported an error, so the caller skips evaluating the
// expression (which would only repeat the error less clearly).
func (e *evaluator) checkRefs(expr hcl.Expression, mode refMode, self string) bool {
	ok := true
	for _, tr := range expr.Variables() {
		if tr.IsRelative() || len(tr) == 0 {
			continue
		}
		root := tr.RootName()
		rng := tr.SourceRange().Ptr()
		if mode == refsNone {
			e.errorf(rng, "Variables not allowed",
				"A default value or a -var-file value is a literal; %s cannot be used here. Move the computation to a locals block.", root)
			ok = false
			continue
		}
		attr, hasAttr := "", len(tr) > 1
		if hasAttr {
			if a, isAttr := tr[1].(hcl.TraverseAttr); isAttr {
				attr = a.Name
			} else {
				hasAttr = false
			}
		}
		switch root {
		case "var":
			switch {
			case !hasAttr:
				e.errorf(rng, "Invalid reference", "Refer to an input variable as var.NAME.")
				ok = false
			case mode == refsSelf && attr != self:
				e.errorf(rng, "Invalid reference in variable validation",
					"A validation condition may only refer to the variable it validates, var.%s.", self)
				ok = false
			case !e.vars[attr]:
				e.errorf(rng, "Reference to undeclared input variable",
					"An input variable named %q has not been declared.%s Declare it with a variable %q block.",
					attr, suggest(attr, slices.Sorted(maps.Keys(e.vars))), attr)
				ok = false
			}
		case "local":
			switch {
			case mode == refsSelf:
				e.errorf(rng, "Invalid reference in variable validation",
					"A validation condition may only refer to the variable it validates, var.%s.", self)
				ok = false
			case !hasAttr:
				e.errorf(rng, "Invalid reference", "Refer to a local value as local.NAME.")
				ok = false
			case !e.locals[attr]:
				e.errorf(rng, "Reference to undeclared local value",
					"A local value named %q has not been declared.%s Add it to a locals block.",
					attr, suggest(attr, slices.Sorted(maps.Keys(e.locals))))
				ok = false
			}
		case "node", "facts":
			names := NodeAttrs
			if root == "facts" {
				names = FactNames
			}
			switch {
			case mode != refsNode:
				e.errorf(rng, "Invalid reference",
					"%s.* is known only per node, at plan or apply time: it may be used in step arguments and guard blocks, not here.", root)
				ok = false
			case !hasAttr:
				e.errorf(rng, "Invalid reference", "Refer to %s.NAME; valid names: %s.", root, quoteList(names))
				ok = false
			case !contains(names, attr):
				e.errorf(rng, fmt.Sprintf("Unsupported attribute of %s", root),
					"%s has no attribute %q.%s Valid names: %s.", root, attr, suggest(attr, names), quoteList(names))
				ok = false
			}
		default:
			roots := []string{"var", "local"}
			if mode == refsNode {
				roots = append(roots, "node", "facts")
			}
			e.errorf(rng, "Unknown variable",
				"There is no variable named %q.%s Expressions may use %s.", root, suggest(root, roots), quoteList(roots))
			ok = false
		}
	}
	return ok
}
