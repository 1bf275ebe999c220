package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
)

// Test configs are built directly as eval.Config values; no parser needed.

func rng(name string) hcl.Range {
	return hcl.Range{Filename: "test.hcl", Start: hcl.Pos{Line: len(name) + 1, Column: 1, Byte: 0}}
}

func newConfig(target string) *eval.Config {
	return &eval.Config{Runbook: eval.Runbook{Name: "test", Target: target, Policy: eval.DefaultPolicy(),
		DeclRange: rng("runbook"), TargetRange: rng("target")}, Backup: eval.Backup{Store: "backups"}}
}

func addCluster(c *eval.Config, name string) *eval.Cluster {
	cl := &eval.Cluster{Name: name, Range: rng(name)}
	c.Clusters = append(c.Clusters, cl)
	return cl
}

func sm(cl *eval.Cluster, name, release string, ssp int) *eval.Node {
	n := &eval.Node{Name: name, Kind: eval.KindSM, Cluster: cl.Name, Host: name + ".example.net", Release: release,
		SSP: ssp, Range: rng(name), Attrs: map[string]hcl.Range{}}
	cl.Nodes = append(cl.Nodes, n)
	return n
}

func bsm(cl *eval.Cluster, name, release string, ssp int) *eval.Node {
	n := sm(cl, name, release, ssp)
	n.Kind = eval.KindBSM
	return n
}

func smgr(c *eval.Config, release string) *eval.Node {
	c.SMGR = &eval.Node{Name: "smgr", Kind: eval.KindSMGR, Cluster: "smgr", Host: "smgr.example.net",
		Release: release, SSP: -1, Range: rng("smgr"), Attrs: map[string]hcl.Range{}}
	return c.SMGR
}

func compile(t testing.TB, c *eval.Config) (*Plan, hcl.Diagnostics) {
	t.Helper()
	p, diags := Compile(c, catalog.Default(), Options{})
	if p == nil {
		t.Fatal("nil plan")
	}
	return p, diags
}

// rules lists the rule ids of the diagnostics, "rule@node" when a node is named.
func rules(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if r := RuleOf(d); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func hasRule(diags hcl.Diagnostics, rule string, sev hcl.DiagnosticSeverity) bool {
	for _, d := range diags {
		if RuleOf(d) == rule && d.Severity == sev {
			if !strings.HasPrefix(d.Summary, rule+": ") || d.Subject == nil {
				return false
			}
			return true
		}
	}
	return false
}

func dump(p *Plan) string {
	var b strings.Builder
	for _, id := range p.Order {
		s := p.StepByID(id)
		fmt.Fprintf(&b, "%s %v\n", id, s.DependsOn)
	}
	return b.String()
}
