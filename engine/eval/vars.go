package eval

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/runbook-dev/runbook/engine/manifest"
)

// EnvPrefix prefixes the environment variables that set input variables.
const EnvPrefix = "RUNBOOK_VAR_"

// rawValue is one value given for a variable, and where it came from.
type rawValue struct {
	expr   hcl.Expression // a file's expression; nil for a string from -var or the environment
	str    string
	val    cty.Value // a saved plan's pinned value, when pinned
	pinned bool
	source string     // "the environment", "-var", a file name
	rng    *hcl.Range // nil for -var and the environment
}

// inputs collects values from the environment, the var files and -var, in
// increasing precedence (as Terraform does); later values win.
func (e *evaluator) inputs(opts LoadOptions) map[string]rawValue {
	vals := map[string]rawValue{}
	for name, v := range opts.Pinned {
		if e.vars[name] {
			vals[name] = rawValue{val: v, pinned: true, source: "the saved plan"}
		}
	}
	for _, kv := range opts.Env {
		if !strings.HasPrefix(kv, EnvPrefix) {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(kv, EnvPrefix), "=")
		if ok && e.vars[name] {
			vals[name] = rawValue{str: value, source: "the environment variable " + EnvPrefix + name}
		}
	}
	sensitive := e.sensitiveVars()
	for _, path := range opts.VarFiles {
		e.varFile(path, vals, sensitive)
	}
	for _, kv := range opts.Vars {
		name, value, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			// The option is not echoed: it may be a secret typed without its name.
			e.errorf(nil, "Invalid -var option",
				"A -var option is not of the form NAME=VALUE. Write -var 'name=value'.")
		case !e.vars[name]:
			e.errorf(nil, "Value for undeclared variable",
				"A -var option sets %q, but no variable of that name is declared.%s Declare it with a variable %q block, or remove the option.",
				name, suggest(name, slices.Sorted(maps.Keys(e.vars))), name)
		default:
			vals[name] = rawValue{str: value, source: "-var"}
		}
	}
	return vals
}

// varFile reads one -var-file. Its snippet copy (Config.Files) has the
// values of sensitive variables masked, whether or not the file parses.
func (e *evaluator) varFile(path string, vals map[string]rawValue, sensitive map[string]bool) {
	src, err := os.ReadFile(path)
	if err != nil {
		e.errorf(nil, "Cannot read variables file", "%s. Check the -var-file path.", err)
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	isJSON := strings.HasSuffix(path, ".json")
	if isJSON {
		f, diags = json.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	}
	e.cfg.Files[path] = maskVarFile(src, f, diags.HasErrors(), isJSON, sensitive)
	e.diags = append(e.diags, diags...)
	if diags.HasErrors() || f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	e.diags = append(e.diags, diags...)
	for _, a := range manifest.SortedAttrs(attrs) {
		if !e.vars[a.Name] {
			e.warnf(a.NameRange.Ptr(), "Value for undeclared variable",
				"The file sets %q, but no variable of that name is declared.%s The value is ignored.",
				a.Name, suggest(a.Name, slices.Sorted(maps.Keys(e.vars))))
			continue
		}
		vals[a.Name] = rawValue{expr: a.Expr, source: path, rng: a.Expr.Range().Ptr()}
	}
}

// variables computes every declared variable's final value and the var
// object of the evaluation context.
func (e *evaluator) variables(opts LoadOptions) cty.Value {
	given := e.inputs(opts)
	obj := map[string]cty.Value{}
	for _, v := range e.m.Variables {
		if _, dup := e.cfg.Variables[v.Name]; dup {
			continue
		}
		val, ok := e.variable(v, given)
		if !ok {
			val = cty.DynamicVal // reported; unknown keeps follow-up errors quiet
		}
		obj[v.Name] = val
	}
	return cty.ObjectVal(obj)
}

func (e *evaluator) variable(v *manifest.Variable, given map[string]rawValue) (cty.Value, bool) {
	decl := Variable{Name: v.Name, Range: v.DeclRange}
	if b, ok := e.literal(v.Attr("sensitive"), cty.Bool); ok {
		decl.Sensitive = b.True()
	}
	if a := v.Attr("description"); a != nil {
		e.literal(a, cty.String)
	}
	raw, set := given[v.Name]
	var val cty.Value
	var rng *hcl.Range
	source := "its default"
	switch {
	case set && raw.pinned:
		val, source, rng = raw.val, raw.source, v.LabelRange.Ptr()
	case set && raw.expr != nil:
		if !e.checkRefs(raw.expr, refsNone, "") {
			return cty.NilVal, false
		}
		var diags hcl.Diagnostics
		val, diags = raw.expr.Value(&hcl.EvalContext{Functions: Functions()})
		if decl.Sensitive {
			hideDetails(diags, v.Name, raw.source)
		}
		e.diags = append(e.diags, diags...)
		if diags.HasErrors() {
			return cty.NilVal, false
		}
		rng, source = raw.rng, raw.source
	case set:
		var ok bool
		if val, ok = e.parseCLI(v, raw); !ok {
			return cty.NilVal, false
		}
		source = raw.source
		rng = v.LabelRange.Ptr()
	case v.Attr("default") != nil:
		a := v.Attr("default")
		var ok bool
		if val, ok = e.constant(a.Expr); !ok {
			return cty.NilVal, false
		}
		rng = a.Expr.Range().Ptr()
	case e.allowUnset:
		// Unknown, marked with the variable's name so that what depends on
		// it can say which value is missing.
		val := cty.UnknownVal(v.Type).Mark(unsetMark{v.Name})
		if decl.Sensitive {
			val = val.Mark(sensitive)
		}
		decl.Value = val
		e.cfg.Variables[v.Name] = decl
		return val, true
	default:
		e.errorf(v.LabelRange.Ptr(), "No value for required variable",
			"The variable %q has no default, so it needs a value: -var '%s=…', a -var-file, or the environment variable %s%s.",
			v.Name, v.Name, EnvPrefix, v.Name)
		return cty.NilVal, false
	}
	if decl.Sensitive {
		// Known as a secret even when it does not fit the type, so that no
		// message quoting it gets through the redactor.
		e.secret(val)
	}
	cv, err := convert.Convert(val, v.Type)
	if err != nil {
		e.errorf(rng, "Invalid value for variable",
			"The value of var.%s from %s does not fit its type %s: %s.", v.Name, source, v.Type.FriendlyName(), err)
		return cty.NilVal, false
	}
	if decl.Sensitive {
		e.secret(cv)
		cv = cv.Mark(sensitive)
	}
	decl.Value = cv
	e.cfg.Variables[v.Name] = decl
	if !e.validate(v, cv, rng, source) {
		return cty.NilVal, false
	}
	return cv, true
}

// hideDetails replaces the details of diagnostics from evaluating a
// sensitive variable's value: a function's message may quote its argument
// ("cannot convert "…" to number"). The summary and the position stay.
func hideDetails(diags hcl.Diagnostics, name, source string) {
	for _, d := range diags {
		d.Detail = fmt.Sprintf("The value of var.%s from %s cannot be evaluated. The details are not shown: var.%s is sensitive and they may quote its value.", name, source, name)
		d.Expression, d.EvalContext = nil, nil
	}
}

// parseCLI turns a -var or environment string into a value: taken as is for
// primitive types, parsed as an HCL expression for collections and objects.
func (e *evaluator) parseCLI(v *manifest.Variable, raw rawValue) (cty.Value, bool) {
	if v.Type.IsPrimitiveType() || v.Type == cty.DynamicPseudoType {
		return cty.StringVal(raw.str), true
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw.str), "<value for var."+v.Name+">", hcl.InitialPos)
	if !diags.HasErrors() && len(expr.Variables()) == 0 {
		val, vdiags := expr.Value(&hcl.EvalContext{Functions: Functions()})
		if !vdiags.HasErrors() {
			return val, true
		}
	}
	e.errorf(v.LabelRange.Ptr(), "Invalid value for variable",
		"The value of var.%s from %s is not a valid HCL expression of type %s. Write it as in a manifest, for example [\"a\", \"b\"] or {key = \"value\"}.",
		v.Name, raw.source, v.Type.FriendlyName())
	return cty.NilVal, false
}

// literal evaluates attr without variables (sensitive, description).
func (e *evaluator) literal(attr *hcl.Attribute, ty cty.Type) (cty.Value, bool) {
	if attr == nil || !e.checkRefs(attr.Expr, refsNone, "") {
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(nil)
	e.diags = append(e.diags, diags...)
	if diags.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		e.errorf(attr.Expr.Range().Ptr(), "Incorrect attribute value type",
			"Inappropriate value for attribute %q: %s.", attr.Name, err)
		return cty.NilVal, false
	}
	return cv, true
}

// validate runs v's validation blocks against val. A failed rule is reported
// at the value's source when it is in a file, else at the rule.
func (e *evaluator) validate(v *manifest.Variable, val cty.Value, rng *hcl.Range, source string) bool {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
		Functions: Functions(),
	}
	ok := true
	for _, rule := range v.Validations {
		if rule.Condition == nil || !e.checkRefs(rule.Condition, refsSelf, v.Name) {
			continue
		}
		res, diags := rule.Condition.Value(ctx)
		e.diags = append(e.diags, diags...)
		if diags.HasErrors() {
			ok = false
			continue
		}
		res, _ = res.UnmarkDeep()
		if !res.IsKnown() || res.IsNull() || !res.Type().Equals(cty.Bool) {
			e.errorf(rule.Condition.Range().Ptr(), "Invalid validation condition",
				"The condition must be true or false; write a comparison such as length(var.%s) > 0.", v.Name)
			ok = false
			continue
		}
		if res.True() {
			continue
		}
		msg := "The value is not valid."
		if rule.ErrorMessage != nil && e.checkRefs(rule.ErrorMessage, refsSelf, v.Name) {
			mv, mdiags := rule.ErrorMessage.Value(ctx)
			e.diags = append(e.diags, mdiags...)
			if !mdiags.HasErrors() {
				if mv.ContainsMarked() {
					msg = "The error message would show a sensitive value, so it is not displayed."
				} else if sv, err := convert.Convert(mv, cty.String); err == nil && !sv.IsNull() && sv.IsKnown() {
					msg = sv.AsString()
				}
			}
		}
		subject := rng
		if subject == nil || source == "-var" || strings.HasPrefix(source, "the environment") {
			subject = rule.Condition.Range().Ptr()
		}
		e.errorf(subject, "Invalid value for variable",
			"%s\n\nThe value of var.%s from %s fails the validation rule at %s.", msg, v.Name, source, manifest.At(rule.DeclRange))
		ok = false
	}
	return ok
}

// constant evaluates a variable's value or default: functions, but no
// references, since variables are evaluated before anything they could name.
func (e *evaluator) constant(expr hcl.Expression) (cty.Value, bool) {
	if !e.checkRefs(expr, refsNone, "") {
		return cty.NilVal, false
	}
	val, diags := expr.Value(&hcl.EvalContext{Functions: Functions()})
	e.diags = append(e.diags, diags...)
	return val, !diags.HasErrors()
}
