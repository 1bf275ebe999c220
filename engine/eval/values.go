package eval

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/internal/release"
)

// markType keeps the sensitivity mark apart from marks other code may use.
type markType string

// sensitive marks a cty value that came from a sensitive variable.
const sensitive = markType("sensitive")

// evaluator holds the state of one Load: the config being built, the base
// evaluation context and the collected diagnostics and secrets.
type evaluator struct {
	m       *manifest.Manifest
	cfg     *Config
	ctx     *hcl.EvalContext
	diags   hcl.Diagnostics
	secrets map[string]struct{}
	// vars and locals are the declared names, for reference checks.
	vars, locals map[string]bool
	// allowUnset is LoadOptions.AllowUnset; block is the kind of block being
	// evaluated, for Config.Unknown.
	allowUnset bool
	block      string
}

func (e *evaluator) errorf(rng *hcl.Range, summary, format string, args ...any) {
	e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng})
}

func (e *evaluator) warnf(rng *hcl.Range, summary, format string, args ...any) {
	e.diags = append(e.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng})
}

// secret records every string leaf of v (numbers and bools as text) as a
// secret, for the redactor.
func (e *evaluator) secret(v cty.Value) {
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsKnown() {
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		if s := v.AsString(); s != "" {
			e.secrets[s] = struct{}{}
		}
	case ty == cty.Number:
		e.secrets[v.AsBigFloat().Text('f', -1)] = struct{}{}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			e.secret(ev)
		}
	}
}

// value evaluates attr in the base context and converts it to ty. ok is false
// when the attribute is absent or null (meaning "not set") or when a
// diagnostic was reported. Values derived from sensitive variables are
// recorded as secrets.
func (e *evaluator) value(attr *hcl.Attribute, ty cty.Type, what string) (cty.Value, bool) {
	if attr == nil {
		return cty.NilVal, false
	}
	if !e.checkRefs(attr.Expr, refsStatic, "") {
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(e.ctx)
	e.diags = append(e.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	var marks cty.ValueMarks
	if v.ContainsMarked() {
		_, marks = v.UnmarkDeep()
		if _, ok := marks[sensitive]; ok {
			e.secret(v)
		}
		v, _ = v.UnmarkDeep()
	}
	if !v.IsWhollyKnown() {
		// Unknown because a variable has no value (validate), or poisoned by
		// an earlier error (a local in a cycle), which was reported already.
		if names := unsetNames(marks); len(names) > 0 {
			e.cfg.Unknown = append(e.cfg.Unknown, UnknownValue{Range: attr.Expr.Range(), Block: e.block, Vars: names})
		}
		return cty.NilVal, false
	}
	if v.IsNull() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		e.errorf(attr.Expr.Range().Ptr(), "Incorrect attribute value type",
			"Inappropriate value for attribute %q: %s %s", attr.Name, err.Error()+".", what)
		return cty.NilVal, false
	}
	return cv, true
}

// str evaluates a string attribute of b.
func (e *evaluator) str(b *manifest.Block, name string) (string, bool) {
	v, ok := e.value(b.Attr(name), cty.String, "A string is expected.")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// integer evaluates a whole-number attribute of b, at least lo.
func (e *evaluator) integer(b *manifest.Block, name string, lo, hi int) (int, bool) {
	attr := b.Attr(name)
	v, ok := e.value(attr, cty.Number, "A whole number is expected.")
	if !ok {
		return 0, false
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() || bf.Cmp(big.NewFloat(float64(lo))) < 0 || bf.Cmp(big.NewFloat(float64(hi))) > 0 {
		e.errorf(attr.Expr.Range().Ptr(), "Invalid number",
			"%s must be a whole number from %d to %d.", name, lo, hi)
		return 0, false
	}
	i, _ := bf.Int64()
	return int(i), true
}

// boolean evaluates a bool attribute of b.
func (e *evaluator) boolean(b *manifest.Block, name string) (bool, bool) {
	v, ok := e.value(b.Attr(name), cty.Bool, "Write true or false.")
	if !ok {
		return false, false
	}
	return v.True(), true
}

// strList evaluates a list-of-strings attribute of b.
func (e *evaluator) strList(b *manifest.Block, name string) ([]string, bool) {
	v, ok := e.value(b.Attr(name), cty.List(cty.String), `A list of strings is expected, such as ["a", "b"].`)
	if !ok {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			e.errorf(b.Attr(name).Expr.Range().Ptr(), "Invalid list element", "The elements of %s cannot be null.", name)
			return nil, false
		}
		out = append(out, ev.AsString())
	}
	return out, true
}

// intList evaluates a list of whole numbers from lo to hi. A bad element is
// reported at the element when the list is written out literally.
func (e *evaluator) intList(b *manifest.Block, name string, lo, hi int) ([]int, bool) {
	attr := b.Attr(name)
	v, ok := e.value(attr, cty.List(cty.Number), "A list of whole numbers is expected, such as [443, 5061].")
	if !ok {
		return nil, false
	}
	var elems []hclsyntax.Expression
	if t, isTuple := attr.Expr.(*hclsyntax.TupleConsExpr); isTuple && len(t.Exprs) == v.LengthInt() {
		elems = t.Exprs
	}
	var out []int
	for i, it := 0, v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		rng := attr.Expr.Range()
		if elems != nil {
			rng = elems[i].Range()
		}
		var bf *big.Float
		if !ev.IsNull() {
			bf = ev.AsBigFloat()
		}
		if bf == nil || !bf.IsInt() || bf.Cmp(big.NewFloat(float64(lo))) < 0 || bf.Cmp(big.NewFloat(float64(hi))) > 0 {
			e.errorf(rng.Ptr(), "Invalid number", "The elements of %s must be whole numbers from %d to %d.", name, lo, hi)
			return nil, false
		}
		n, _ := bf.Int64()
		out = append(out, int(n))
	}
	return out, true
}

// enum evaluates a string attribute that must be one of allowed.
func (e *evaluator) enum(b *manifest.Block, name string, allowed []string) (string, bool) {
	s, ok := e.str(b, name)
	if !ok {
		return "", false
	}
	if !contains(allowed, s) {
		e.errorf(b.Attr(name).Expr.Range().Ptr(), fmt.Sprintf("Invalid %s", name),
			"%q is not a valid %s.%s Valid values: %s.", s, name, suggest(s, allowed), quoteList(allowed))
		return "", false
	}
	return s, true
}

// duration evaluates a Go duration attribute ("90s", "30m", "1h30m").
func (e *evaluator) duration(b *manifest.Block, name string, allowNegative bool) (time.Duration, bool) {
	s, ok := e.str(b, name)
	if !ok {
		return 0, false
	}
	return e.parseDuration(s, b.Attr(name).Expr.Range(), allowNegative)
}

func (e *evaluator) parseDuration(s string, rng hcl.Range, allowNegative bool) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	if err != nil {
		e.errorf(rng.Ptr(), "Invalid duration",
			`%q is not a duration: write a number and a unit, such as "90s", "30m" or "1h30m".`, s)
		return 0, false
	}
	if d < 0 && !allowNegative {
		e.errorf(rng.Ptr(), "Invalid duration", "%q is negative; a duration here must be zero or more.", s)
		return 0, false
	}
	return d, true
}

// release evaluates a release attribute (A.B.C.D).
func (e *evaluator) release(b *manifest.Block, name string) (string, bool) {
	s, ok := e.str(b, name)
	if !ok {
		return "", false
	}
	if _, err := release.Parse(s); err != nil {
		e.errorf(b.Attr(name).Expr.Range().Ptr(), "Invalid release",
			`%q is not a release: write four numbers separated by dots, such as "8.1.3.8" or "10.2.0.1".`, s)
		return "", false
	}
	return s, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
