package eval

import (
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/schema"
)

var changeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// DefaultPolicy is the policy of a runbook that writes none (README "The
// manifest", runbook.policy).
func DefaultPolicy() Policy {
	return Policy{
		DrainTimeout: 30 * time.Minute, Parallel: 1, OnFailure: "halt", MultiHop: true,
		Method: "backup_restore", BranchParallel: 1, Durations: map[string]time.Duration{},
	}
}

func (e *evaluator) runbook() {
	rb := e.m.Runbook
	e.cfg.Runbook.Policy = DefaultPolicy()
	if rb == nil {
		var rng *hcl.Range
		for _, name := range slices.Sorted(maps.Keys(e.m.Files)) {
			rng = &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
			break
		}
		e.errorf(rng, "Missing runbook block",
			`A manifest needs one runbook "NAME" { … } block that names the change and its target release.`)
		return
	}
	r := &e.cfg.Runbook
	r.Name, r.DeclRange = rb.Name, rb.DeclRange
	if id, ok := e.str(&rb.Block, "change_id"); ok {
		// The change id names the records folder (records/<change_id>/), so it
		// must be one safe path component.
		if !changeIDPattern.MatchString(id) {
			e.errorf(rb.Attr("change_id").Expr.Range().Ptr(), "Invalid change_id",
				"%q cannot name a records folder: use letters, digits, '.', '_' and '-', starting with a letter or digit (for example \"CHG0031337\").", id)
		} else {
			r.ChangeID = id
		}
	}
	r.Description, _ = e.str(&rb.Block, "description")
	r.MediaDir = e.mediaDir(&rb.Block)
	r.TargetRange = rb.DeclRange
	if a := rb.Attr("target"); a != nil {
		r.TargetRange = a.Expr.Range()
		r.Target, _ = e.release(&rb.Block, "target")
	}
	if rb.Window != nil {
		r.Window = e.window(rb.Window)
	}
	if rb.Policy != nil {
		e.policy(rb.Policy, &r.Policy)
	}
}

func (e *evaluator) window(b *manifest.Block) *Window {
	w := &Window{Range: b.DeclRange}
	var okS, okE bool
	w.Start, okS = e.timestamp(b, "start")
	w.End, okE = e.timestamp(b, "end")
	if !okS || !okE {
		return nil
	}
	if !w.End.After(w.Start) {
		e.errorf(b.Attr("end").Expr.Range().Ptr(), "Invalid maintenance window",
			"The window ends (%s) before or when it starts (%s); end must be after start.",
			w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
		return nil
	}
	return w
}

func (e *evaluator) timestamp(b *manifest.Block, name string) (time.Time, bool) {
	s, ok := e.str(b, name)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		e.errorf(b.Attr(name).Expr.Range().Ptr(), "Invalid timestamp",
			`%q is not an RFC 3339 time: write it as "2026-12-05T01:00:00Z" (or with an offset such as +01:00).`, s)
		return time.Time{}, false
	}
	return t, true
}

func (e *evaluator) policy(b *manifest.Block, p *Policy) {
	p.Range = b.DeclRange
	p.Attrs = map[string]hcl.Range{}
	for name, a := range b.Attrs {
		p.Attrs[name] = a.Expr.Range()
	}
	if v, ok := e.integer(b, "max_active_calls", 0, 1<<30); ok {
		p.MaxActiveCalls = v
	}
	if v, ok := e.duration(b, "drain_timeout", false); ok {
		p.DrainTimeout = v
	}
	if v, ok := e.integer(b, "parallel", 1, 1024); ok {
		p.Parallel = v
	}
	if v, ok := e.enum(b, "on_failure", schema.OnFailure); ok {
		p.OnFailure = v
	}
	if v, ok := e.boolean(b, "multi_hop"); ok {
		p.MultiHop = v
	}
	if v, ok := e.enum(b, "method", schema.Methods); ok {
		p.Method = v
	}
	if v, ok := e.integer(b, "branch_parallel", 1, 1024); ok {
		p.BranchParallel = v
	}
	e.failBudget(b, p)
	e.durations(b, p)
}

// durations reads policy.durations, a map from phase name to duration that
// overrides the catalog's phase estimates.
func (e *evaluator) durations(b *manifest.Block, p *Policy) {
	attr := b.Attr("durations")
	v, ok := e.value(attr, cty.Map(cty.String), `A map from phase to duration is expected, such as { backup = "5m" }.`)
	if !ok {
		return
	}
	keyRanges := map[string]hcl.Range{}
	if obj, isObj := attr.Expr.(*hclsyntax.ObjectConsExpr); isObj {
		for _, item := range obj.Items {
			if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
				keyRanges[k.AsString()] = item.KeyExpr.Range()
			}
		}
	}
	for it := v.ElementIterator(); it.Next(); {
		k, dv := it.Element()
		phase := k.AsString()
		rng, found := keyRanges[phase]
		if !found {
			rng = attr.Expr.Range()
		}
		if !contains(schema.Phases, phase) {
			e.errorf(rng.Ptr(), "Invalid phase name",
				"%q is not a phase.%s Phases: %s.", phase, suggest(phase, schema.Phases), quoteList(schema.Phases))
			continue
		}
		if dv.IsNull() {
			continue
		}
		if d, ok := e.parseDuration(dv.AsString(), rng, false); ok {
			p.Durations[phase] = d
		}
	}
}

// phaseAttr evaluates an attribute that names a phase.
func (e *evaluator) phaseAttr(b *manifest.Block, name string) string {
	s, ok := e.str(b, name)
	if !ok {
		return ""
	}
	if !contains(schema.Phases, s) {
		e.errorf(b.Attr(name).Expr.Range().Ptr(), "Invalid phase name",
			"%q is not a phase.%s Phases: %s.", s, suggest(s, schema.Phases), quoteList(schema.Phases))
		return ""
	}
	return s
}
