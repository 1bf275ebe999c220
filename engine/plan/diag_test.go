package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/guard"
)

// Forty SMs without a secondary: text output folds the forty warnings into
// one naming the first five and the count; errors and other rules stay.
func TestConsolidateFoldsOneRulesWarnings(t *testing.T) {
	c := newConfig("10.2.0.1")
	for i := 0; i < 40; i++ {
		sm(addCluster(c, fmt.Sprintf("c%02d", i)), fmt.Sprintf("sm-%02d", i), "10.1.3.0", 99)
	}
	_, diags := compile(t, c)
	count := func(ds hcl.Diagnostics, rule string) int {
		n := 0
		for _, d := range ds {
			if RuleOf(d) == rule {
				n++
			}
		}
		return n
	}
	if n := count(diags, guard.ClusterNoSecondary); n != 40 {
		t.Fatalf("want 40 cluster.no_secondary verdicts, got %d", n)
	}
	folded := Consolidate(diags, 5)
	if n := count(folded, guard.ClusterNoSecondary); n != 1 {
		t.Fatalf("folded: %d cluster.no_secondary diagnostics, want 1", n)
	}
	for _, d := range folded {
		if RuleOf(d) == guard.ClusterNoSecondary {
			want := "cluster.no_secondary warns on 40 nodes: sm-00, sm-01, sm-02, sm-03, sm-04 and 35 more"
			if !strings.Contains(d.Detail, want) || !strings.HasPrefix(d.Summary, "cluster.no_secondary: sm-00") {
				t.Fatalf("folded diagnostic: %q / %q", d.Summary, d.Detail)
			}
		}
	}
	if count(folded, guard.ArtifactMissing) != count(diags, guard.ArtifactMissing) {
		t.Fatalf("a rule with one verdict changed")
	}
	// The input is left as it was: the plan document keeps each verdict.
	if count(diags, guard.ClusterNoSecondary) != 40 || strings.Contains(diags[0].Detail, "warns on") {
		t.Fatalf("Consolidate changed its input")
	}
	errs := hcl.Diagnostics{
		guardDiag(guard.PathUnsupported, guard.Error, "a", nil, "x", ""),
		guardDiag(guard.PathUnsupported, guard.Error, "b", nil, "y", ""),
	}
	if len(Consolidate(errs, 5)) != 2 {
		t.Fatalf("errors must each be printed")
	}
}

// artifact.missing is one verdict per medium, several naming the same node:
// each medium stays listed.
func TestConsolidateKeepsPerMediumWarnings(t *testing.T) {
	ds := hcl.Diagnostics{
		guardDiag(guard.ArtifactMissing, guard.Warning, "a", nil, "release media", ""),
		guardDiag(guard.ArtifactMissing, guard.Warning, "a", nil, "ssp media", ""),
	}
	if len(Consolidate(ds, 5)) != 2 {
		t.Fatal("per-medium warnings folded")
	}
}
