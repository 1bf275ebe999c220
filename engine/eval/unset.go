package eval

import (
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// unsetMark marks the unknown value of a variable that has no value (only
// with LoadOptions.AllowUnset). Marks follow a value through every
// expression, so an attribute computed from such a variable, directly or
// through locals, knows which variable it waits for.
type unsetMark struct{ name string }

// unsetNames returns the sorted names of the unset variables in marks.
func unsetNames(marks cty.ValueMarks) []string {
	var names []string
	for m := range marks {
		if u, ok := m.(unsetMark); ok {
			names = append(names, u.name)
		}
	}
	sort.Strings(names)
	return names
}
