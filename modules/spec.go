package modules

import "github.com/zclconf/go-cty/cty"

// ArgType is the type of a module argument as a manifest writes it. Every
// argument reaches the module as a string (Task.Args); the type is what the
// evaluator checks before that, so a wrong value is a diagnostic at the
// attribute and not a failure on a node.
type ArgType int

const (
	// String is any string (numbers convert to it, as HCL converts them).
	String ArgType = iota
	// Number is a number.
	Number
	// Bool is true or false.
	Bool
	// Duration is a string Go parses as a duration, zero or more: "90s", "5m".
	Duration
)

// Cty is the HCL type a value of t must convert to.
func (t ArgType) Cty() cty.Type {
	switch t {
	case Number:
		return cty.Number
	case Bool:
		return cty.Bool
	default:
		return cty.String
	}
}

// String names t for diagnostics ("a string", "a duration").
func (t ArgType) String() string {
	switch t {
	case Number:
		return "a number"
	case Bool:
		return "true or false"
	case Duration:
		return `a duration such as "30s"`
	default:
		return "a string"
	}
}

// Arg is one argument a step block gives a module.
type Arg struct {
	Name     string
	Type     ArgType
	Required bool
	// Doc is one line saying what the argument does, for the documentation
	// and for diagnostics.
	Doc string
}

// Spec is how the manifest language sees a module: its name and the
// arguments a step block may give it. Each module package declares its own
// Spec beside the module, so adding an argument touches one file; the
// evaluator checks every step block against the Spec of its module.
type Spec struct {
	Name string
	// Doc is one line saying what the module does.
	Doc  string
	Args []Arg
	// KeepsFacts says the module never changes what a node's facts read
	// (it waits, asks, or only reads), so the engine need not read the
	// facts again after it ran. A module whose effect depends on its
	// arguments declares a changes_facts argument instead (ChangesFacts).
	KeepsFacts bool
}

// ChangesFactsArg is the argument by which a step says whether its command
// can change a node's facts.
const ChangesFactsArg = "changes_facts"

// ChangesFacts reports whether a step of this module with these arguments
// may have changed the node's facts: its changes_facts argument when the
// module declares one (true unless it is "false"), else !KeepsFacts. An
// unknown answer is yes.
func (s Spec) ChangesFacts(args map[string]string) bool {
	if _, ok := s.Arg(ChangesFactsArg); ok {
		return args[ChangesFactsArg] != "false"
	}
	return !s.KeepsFacts
}

// Arg returns the argument of that name.
func (s Spec) Arg(name string) (Arg, bool) {
	for _, a := range s.Args {
		if a.Name == name {
			return a, true
		}
	}
	return Arg{}, false
}

// ArgNames lists the argument names in declaration order.
func (s Spec) ArgNames() []string {
	out := make([]string, 0, len(s.Args))
	for _, a := range s.Args {
		out = append(out, a.Name)
	}
	return out
}
