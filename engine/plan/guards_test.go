package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

func TestStaticGuards(t *testing.T) {
	type tc struct {
		name  string
		build func() *eval.Config
		rule  string
		sev   hcl.DiagnosticSeverity
		node  string
	}
	one := func(release string, mut func(n *eval.Node, c *eval.Config)) func() *eval.Config {
		return func() *eval.Config {
			c := newConfig("10.2.0.1")
			n := sm(addCluster(c, "core"), "sm-a", release, 99)
			if mut != nil {
				mut(n, c)
			}
			return c
		}
	}
	cases := []tc{
		{"unknown line", one("9.9.0.0", nil), guard.PathUnknownRelease, hcl.DiagError, "sm-a"},
		{"unknown target", one("8.1.3.8", func(n *eval.Node, _ *eval.Config) { n.Target = "11.0.0.0" }), guard.PathUnknownRelease, hcl.DiagError, "sm-a"},
		{"target above the catalog", one("10.1.3.0", func(n *eval.Node, _ *eval.Config) { n.Target = "10.2.9.9" }), guard.PathUnknownRelease, hcl.DiagError, "sm-a"},
		{"older than the catalog", one("5.2.1.0", nil), guard.PathUnsupported, hcl.DiagError, "sm-a"},
		{"downgrade", one("10.2.0.1", func(n *eval.Node, _ *eval.Config) { n.Target = "10.1.3.0" }), guard.PathDowngrade, hcl.DiagError, "sm-a"},
		{"multi hop warning", one("7.0.1.3", nil), guard.PathMultiHop, hcl.DiagWarning, "sm-a"},
		{"multi hop error", one("7.0.1.3", func(_ *eval.Node, c *eval.Config) { c.Runbook.Policy.MultiHop = false }), guard.PathMultiHop, hcl.DiagError, "sm-a"},
		{"source not latest", one("8.1.2.0", nil), guard.SourceNotLatest, hcl.DiagWarning, "sm-a"},
		{"ssp required", one("8.1.3.8", func(n *eval.Node, _ *eval.Config) { n.SSP = 30 }), guard.SSPRequired, hcl.DiagWarning, "sm-a"},
		{"avp", one("8.1.3.8", func(n *eval.Node, _ *eval.Config) { n.Platform = "avp" }), guard.PlatformAVP, hcl.DiagError, "sm-a"},
		{"aws", one("8.1.3.8", func(n *eval.Node, _ *eval.Config) { n.Platform = "aws" }), guard.PlatformAWS, hcl.DiagError, "sm-a"},
		{"three lines", func() *eval.Config {
			c := newConfig("10.2.0.1")
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "7.0.1.3", 99)
			sm(cl, "sm-b", "7.0.1.3", 99)
			sm(cl, "sm-c", "10.2.0.1", 99)
			return c
		}, guard.ClusterReleases, hcl.DiagError, "sm-a"},
		{"uds split", func() *eval.Config {
			c := newConfig("10.2.0.1")
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "8.1.3.8", 99)
			sm(cl, "sm-b", "8.1.3.8", 99)
			return c
		}, guard.ClusterUDSSplit, hcl.DiagWarning, "sm-a"},
		{"secondary unknown", one("10.2.0.1", func(n *eval.Node, _ *eval.Config) { n.Secondary = "nope" }), guard.ClusterSecondary, hcl.DiagError, "sm-a"},
		{"secondary self", one("10.2.0.1", func(n *eval.Node, _ *eval.Config) { n.Secondary = "sm-a" }), guard.ClusterSecondary, hcl.DiagError, "sm-a"},
		{"secondary is a BSM", func() *eval.Config {
			c := newConfig("10.2.0.1")
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "10.2.0.1", 99).Secondary = "bsm-b"
			bsm(cl, "bsm-b", "10.2.0.1", 99)
			return c
		}, guard.ClusterSecondary, hcl.DiagError, "sm-a"},
		{"cluster size", func() *eval.Config {
			c := newConfig("10.2.0.1")
			for i := 0; i < 29; i++ {
				cl := c.Clusters
				if i%10 == 0 {
					addCluster(c, fmt.Sprintf("c%d", i/10))
					cl = c.Clusters
				}
				sm(cl[len(cl)-1], fmt.Sprintf("sm-%02d", i), "10.2.0.1", 99)
			}
			return c
		}, guard.ClusterSize, hcl.DiagError, "sm-28"},
		{"smgr too low", func() *eval.Config {
			c := newConfig("10.2.0.1")
			smgr(c, "10.1.0.0").Target = "10.1.3.0"
			sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
			return c
		}, guard.OrderSMGRFirst, hcl.DiagError, "sm-a"},
		{"bsm above core", func() *eval.Config {
			c := newConfig("10.2.0.1")
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "10.1.0.0", 99).Target = "10.1.3.0"
			bsm(cl, "bsm-b", "10.1.0.0", 99)
			return c
		}, guard.BSMAboveCore, hcl.DiagError, "bsm-b"},
		{"window too short", one("8.1.3.8", func(_ *eval.Node, c *eval.Config) {
			st := time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
			c.Runbook.Window = &eval.Window{Start: st, End: st.Add(time.Hour), Range: rng("window")}
		}), guard.WindowTooShort, hcl.DiagError, ""},
		{"artifact missing", one("8.1.3.8", nil), guard.ArtifactMissing, hcl.DiagWarning, "sm-a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, diags := compile(t, c.build())
			if !hasRule(diags, c.rule, c.sev) {
				t.Fatalf("want %s (severity %v) with a subject, got %v", c.rule, c.sev, diags)
			}
			for _, d := range p.Diagnostics {
				if d.Rule == c.rule {
					if d.Node != c.node || d.Summary == "" || d.Detail == "" || d.Range == nil {
						t.Errorf("plan diagnostic %+v: want node %q, summary, detail and range", d, c.node)
					}
					if want := map[hcl.DiagnosticSeverity]string{hcl.DiagError: "error", hcl.DiagWarning: "warning"}[c.sev]; d.Severity != want {
						t.Errorf("severity %q, want %q", d.Severity, want)
					}
				}
			}
		})
	}
}

func TestNoGuardOnCleanPlan(t *testing.T) {
	c := newConfig("10.2.0.1")
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "10.1.3.0", 99).Secondary = "sm-b"
	sm(cl, "sm-b", "10.1.3.0", 99).Secondary = "sm-a"
	c.Artifacts = []*eval.Artifact{{Name: "sm", Kind: "release", Product: "session_manager", Release: "10.2.0.1", File: "media/SM-10.2.0.1.bin", SHA256: "abc"}}
	_, diags := compile(t, c)
	if len(diags) != 0 {
		t.Fatalf("clean plan has diagnostics: %v", diags)
	}
}

func TestRefusalExplainsLines(t *testing.T) {
	c := newConfig("10.2.0.1")
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "7.0.1.3", 99)
	sm(cl, "sm-b", "7.0.1.3", 99)
	sm(cl, "sm-c", "10.2.0.1", 99)
	_, diags := compile(t, c)
	for _, d := range diags {
		if RuleOf(d) == guard.ClusterReleases {
			if !strings.Contains(d.Summary, "7.0, 10.1, 10.2") || !strings.Contains(d.Summary, "sm-a") {
				t.Fatalf("refusal does not say which lines would coexist: %q", d.Summary)
			}
			return
		}
	}
	t.Fatal("no cluster.releases")
}

func TestAlternativePathKeepsTwoLines(t *testing.T) {
	// 7.0 nodes must go through 10.1; 8.1 nodes would go straight to 10.2,
	// which would make three lines. The search sends 8.1 through 10.1 too.
	c := newConfig("10.2.0.1")
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "7.0.1.3", 99)
	sm(cl, "sm-b", "7.0.1.3", 99)
	sm(cl, "sm-c", "8.1.3.8", 99)
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatalf("refused: %v", diags)
	}
	for _, n := range p.Nodes {
		if n.Name == "sm-c" && strings.Join(n.Path, " ") != "8.1.3.8 10.1.3.0 10.2.0.1" {
			t.Fatalf("sm-c path %v, want through 10.1.3.0", n.Path)
		}
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Fatal(err)
	}
}

func TestNodeAheadOfSMGRNeedingTwoSSPPasses(t *testing.T) {
	c := newConfig("10.2.0.1")
	smgr(c, "7.1.3.2")
	sm(addCluster(c, "core"), "sm-a", "8.1.2.0", -1)
	_, diags := compile(t, c)
	if !hasRule(diags, guard.OrderSMGRFirst, hcl.DiagError) {
		t.Fatalf("want order.smgr_first, got %v", diags)
	}
}
