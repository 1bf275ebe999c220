package manifest

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// namePattern is what a block name may look like. Names become parts of step
// ids (CLUSTER/NODE/HOP/PHASE) and of controller paths (<store>/<node>/…), so
// a slash, a leading dot or a space would be ambiguous or unsafe.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// name checks blk's label and records it in namespace.
func (d *decoder) name(namespace string, blk *Block) {
	if d.checkName(namespace, blk.Name, blk.LabelRange) {
		d.unique(namespace, blk.Name, blk.LabelRange)
	}
}

func (d *decoder) checkName(what, name string, rng hcl.Range) bool {
	if namePattern.MatchString(name) && len(name) <= 64 {
		return true
	}
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s name", what),
		Detail: fmt.Sprintf("%q is not a valid name: names are used in step ids and file paths, so they start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 64).",
			name),
		Subject: rng.Ptr(),
	})
	return false
}

// unique records name in namespace and reports a duplicate; it returns false
// for a duplicate.
func (d *decoder) unique(namespace, name string, rng hcl.Range) bool {
	seen := d.seen[namespace]
	if seen == nil {
		seen = map[string]hcl.Range{}
		d.seen[namespace] = seen
	}
	if first, ok := seen[name]; ok {
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s name", namespace),
			Detail:   fmt.Sprintf("A %s named %q was already declared at %s. Names must be unique; rename one of them.", namespace, name, At(first)),
			Subject:  rng.Ptr(),
		})
		return false
	}
	seen[name] = rng
	return true
}

func validIdentifier(s string) bool {
	return hclsyntax.ValidIdentifier(s)
}

// sortedAttrs returns attrs in source order, so that diagnostics and
// evaluation order do not depend on map iteration.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Range, out[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

// SortedAttrs returns a block's attributes in source order.
func SortedAttrs(attrs hcl.Attributes) []*hcl.Attribute { return sortedAttrs(attrs) }

// At formats a range's start as file:line:col, for diagnostic details that
// point at a second place.
func At(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
