package plan

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/guard"
)

// Verdict is carried in hcl.Diagnostic.Extra by every static guard
// diagnostic, so that the rule id and node survive the trip through
// hcl.Diagnostics to the plan document.
type Verdict struct {
	Rule string
	Node string
}

// guardDiag makes a static guard diagnostic. The summary starts with the rule
// id ("path.unsupported: …"), the detail carries the fix.
func guardDiag(rule string, sev guard.Severity, node string, rng *hcl.Range, msg, hint string) *hcl.Diagnostic {
	s := hcl.DiagError
	if sev == guard.Warning {
		s = hcl.DiagWarning
	}
	return &hcl.Diagnostic{Severity: s, Summary: rule + ": " + msg, Detail: hint, Subject: rng,
		Extra: Verdict{Rule: rule, Node: node}}
}

// addGuard appends a verdict with the rule's table severity.
func (b *builder) addGuard(rule, node string, rng hcl.Range, msg, hint string, args ...any) {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	b.diags = append(b.diags, guardDiag(rule, guard.Static[rule], node, rangePtr(rng), msg, hint))
}

// addGuardSev appends a verdict with an explicit severity.
func (b *builder) addGuardSev(rule string, sev guard.Severity, node string, rng hcl.Range, msg, hint string) {
	b.diags = append(b.diags, guardDiag(rule, sev, node, rangePtr(rng), msg, hint))
}

func rangePtr(r hcl.Range) *hcl.Range {
	if r.Filename == "" && r.Start.Line == 0 {
		return nil
	}
	return r.Ptr()
}

// ToDiagnostics converts hcl.Diagnostics to the plan document's form. Rule
// and node come from a Verdict in Extra; other diagnostics carry neither.
func ToDiagnostics(diags hcl.Diagnostics) []Diagnostic {
	out := []Diagnostic{}
	for _, d := range diags {
		pd := Diagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			pd.Severity = "warning"
		}
		if v, ok := d.Extra.(Verdict); ok {
			pd.Rule, pd.Node = v.Rule, v.Node
		}
		if d.Subject != nil {
			pd.Range = &Range{Filename: d.Subject.Filename, Line: d.Subject.Start.Line, Column: d.Subject.Start.Column}
		}
		out = append(out, pd)
	}
	return out
}

// RuleOf returns the guard rule id of a diagnostic, "" when it is not a guard verdict.
func RuleOf(d *hcl.Diagnostic) string {
	if v, ok := d.Extra.(Verdict); ok {
		return v.Rule
	}
	return ""
}

// Consolidate folds, for text output, the warnings of one rule on several
// nodes into the first of them, whose detail then names the first few nodes
// and the count (as Terraform's "and N more similar warnings"), when each of
// them is about another node: a large
// enterprise would otherwise print thousands of lines. Errors, and
// diagnostics that are not node verdicts, are kept as they are. The plan
// document (--json) keeps every diagnostic: use Consolidate only to print.
func Consolidate(diags hcl.Diagnostics, few int) hcl.Diagnostics {
	nodes := map[string][]string{}
	for _, d := range diags {
		if v, ok := foldable(d); ok {
			nodes[v.Rule] = append(nodes[v.Rule], v.Node)
		}
	}
	// A rule folds when its verdicts are about distinct nodes, one each
	// (artifact.missing, one verdict per medium, does not).
	distinct := map[string]bool{}
	for rule, names := range nodes {
		seen := map[string]bool{}
		distinct[rule] = true
		for _, n := range names {
			distinct[rule] = distinct[rule] && !seen[n]
			seen[n] = true
		}
	}
	out := make(hcl.Diagnostics, 0, len(diags))
	done := map[string]bool{}
	for _, d := range diags {
		v, ok := foldable(d)
		if !ok || len(nodes[v.Rule]) < 2 || !distinct[v.Rule] {
			out = append(out, d)
			continue
		}
		if done[v.Rule] {
			continue
		}
		done[v.Rule] = true
		names := nodes[v.Rule]
		shown := names
		more := ""
		if len(names) > few {
			shown = names[:few]
			more = fmt.Sprintf(" and %d more", len(names)-few)
		}
		c := *d
		c.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf("\n\n%s warns on %d nodes: %s%s (plan --json lists each).",
			v.Rule, len(names), strings.Join(shown, ", "), more))
		out = append(out, &c)
	}
	return out
}

func foldable(d *hcl.Diagnostic) (Verdict, bool) {
	v, ok := d.Extra.(Verdict)
	return v, ok && d.Severity == hcl.DiagWarning && v.Rule != "" && v.Node != ""
}
