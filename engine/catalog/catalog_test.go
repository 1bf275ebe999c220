package catalog

import (
	"strings"
	"testing"
)

func TestDefaultCatalogData(t *testing.T) {
	c := Default()
	if c.Rules.ClusterSize != 28 || c.Rules.MaxLines != 2 {
		t.Fatalf("rules = %+v", c.Rules)
	}
	for _, tc := range []struct{ product, line, latest string }{
		{ProductSM, "10.2", "10.2.0.1"}, {ProductSM, "8.1", "8.1.3.8"}, {ProductSM, "8.0", "8.0.1.2"},
		{ProductSM, "7.1", "7.1.3.8"}, {ProductSM, "10.1", "10.1.3.0"}, {ProductSMGR, "10.2", "10.2.0.1"},
	} {
		if got := c.Latest(tc.product, tc.line); got != tc.latest {
			t.Errorf("Latest(%s, %s) = %q, want %q", tc.product, tc.line, got, tc.latest)
		}
	}
	if lvl, ok := c.LatestSSP(ProductSM, "8.1.3.8"); !ok || lvl != 41 {
		t.Errorf("LatestSSP(8.1.3.8) = %d, %v", lvl, ok)
	}
	if _, ok := c.LatestSSP(ProductSM, "6.3.1.0"); ok {
		t.Errorf("6.3 has no SSP in the catalog")
	}
	if len(c.Firewall) == 0 || c.Estimate(ProductSM, "upgrade") == 0 {
		t.Errorf("firewall matrix or estimates missing")
	}
	if l := c.Line(ProductSM, "10.1.0.0"); l == nil || l.SupportsPlatform("avp") || l.SupportsPlatform("aws") || !l.SupportsPlatform("asp130") {
		t.Errorf("10.1 platform support wrong: %+v", l)
	}
}

func TestPathRules(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name, product, from, to, platform string
		multiHop                          bool
		want                              string // releases joined by " ", or the rule id of the error
	}{
		{"10.1 direct", ProductSM, "10.1.0.0", "10.2.0.1", "vmware", true, "10.1.0.0 10.2.0.1"},
		{"8.1 latest direct", ProductSM, "8.1.3.8", "10.2.0.1", "", true, "8.1.3.8 10.2.0.1"},
		{"8.1 patch first", ProductSM, "8.1.2.0", "10.2.0.1", "", true, "8.1.2.0 8.1.3.8 10.2.0.1"},
		{"8.0 patch first", ProductSM, "8.0.0.0", "10.2.0.1", "", true, "8.0.0.0 8.0.1.2 10.2.0.1"},
		{"7.1 patch first", ProductSM, "7.1.0.0", "10.2.0.1", "", true, "7.1.0.0 7.1.3.8 10.2.0.1"},
		{"7.0 via 10.1", ProductSM, "7.0.1.0", "10.2.0.1", "", true, "7.0.1.0 10.1.3.0 10.2.0.1"},
		{"7.0 multi_hop off", ProductSM, "7.0.1.0", "10.2.0.1", "", false, "path.multi_hop"},
		{"6.3 via 8.1 to 10.1", ProductSM, "6.3.1.0", "10.1.3.0", "", true, "6.3.1.0 8.1.3.8 10.1.3.0"},
		{"6.3 to 10.2", ProductSM, "6.3.1.0", "10.2.0.1", "", true, "6.3.1.0 8.1.3.8 10.2.0.1"},
		{"6.2 via 8.1", ProductSM, "6.2.1.0", "10.2.0.1", "", true, "6.2.1.0 8.1.3.8 10.2.0.1"},
		{"6.0 via 8.1", ProductSM, "6.0.1.0", "10.1.3.0", "", true, "6.0.1.0 8.1.3.8 10.1.3.0"},
		{"6.1 via 8.1", ProductSM, "6.1.0.0", "8.1.3.8", "", true, "6.1.0.0 8.1.3.8"},
		{"smgr 6.2 via 8.1", ProductSMGR, "6.2.1.0", "10.2.0.1", "", true, "6.2.1.0 8.1.3.8 10.2.0.1"},
		{"older than every line", ProductSM, "5.2.1.0", "10.2.0.1", "", true, "path.unsupported"},
		{"8.1 to 10.1", ProductSM, "8.1.3.8", "10.1.2.0", "", true, "8.1.3.8 10.1.2.0"},
		{"patch within line", ProductSM, "8.1.1.0", "8.1.3.8", "", true, "8.1.1.0 8.1.3.8"},
		{"already there", ProductSM, "10.2.0.1", "10.2.0.1", "", true, "10.2.0.1"},
		{"any release of a known line up to its latest", ProductSM, "10.1.0.0", "10.1.2.9", "", true, "10.1.0.0 10.1.2.9"},
		{"target above the latest of its line", ProductSM, "10.2.0.0", "10.2.9.9", "", true, "path.unknown_release"},
		{"release above the latest of its line", ProductSM, "8.1.4.0", "10.2.0.1", "", true, "path.unknown_release"},
		{"unknown line", ProductSM, "9.9.0.0", "10.2.0.1", "", true, "path.unknown_release"},
		{"unknown target line", ProductSM, "8.1.3.8", "11.0.0.0", "", true, "path.unknown_release"},
		{"malformed", ProductSM, "8.1.3", "10.2.0.1", "", true, "path.unsupported"},
		{"downgrade", ProductSM, "10.2.0.1", "10.1.3.0", "", true, "path.downgrade"},
		{"avp to 10.2", ProductSM, "8.1.3.8", "10.2.0.1", "avp", true, "platform.avp"},
		{"avp patch ok", ProductSM, "8.1.1.0", "8.1.3.8", "avp", true, "8.1.1.0 8.1.3.8"},
		{"aws to 10.1", ProductSM, "7.0.1.0", "10.1.3.0", "aws", true, "platform.aws"},
		{"aws 8.1 to 10.2", ProductSM, "8.1.3.8", "10.2.0.1", "aws", true, "platform.aws"},
		{"aws 10.1 is software-only", ProductSM, "10.1.3.0", "10.2.0.1", "aws", true, "10.1.3.0 10.2.0.1"},
		{"aws patch below 10.1 ok", ProductSM, "8.1.1.0", "8.1.3.8", "aws", true, "8.1.1.0 8.1.3.8"},
		{"smgr 7.1.3 direct", ProductSMGR, "7.1.3.2", "10.2.0.1", "", true, "7.1.3.2 10.2.0.1"},
		{"smgr 7.1.1 patch", ProductSMGR, "7.1.1.0", "10.2.0.1", "", true, "7.1.1.0 7.1.3.8 10.2.0.1"},
		{"smgr 8.0 direct", ProductSMGR, "8.0.0.0", "10.2.0.1", "", true, "8.0.0.0 10.2.0.1"},
		{"smgr 7.0 via 10.1", ProductSMGR, "7.0.0.0", "10.2.0.1", "", true, "7.0.0.0 10.1.3.0 10.2.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Path(tc.product, tc.from, tc.to, tc.platform, tc.multiHop)
			got := strings.Join(p.Releases(tc.from), " ")
			if err != nil {
				got = err.Rule
				if err.Msg == "" {
					t.Errorf("error without message")
				}
			}
			if got != tc.want {
				t.Errorf("Path(%s→%s) = %q, want %q (err %v)", tc.from, tc.to, got, tc.want, err)
			}
		})
	}
}

func TestPathFlags(t *testing.T) {
	c := Default()
	p, _ := c.Path(ProductSM, "8.1.2.0", "10.2.0.1", "", true)
	if !p.Steps[0].Inserted || !p.Steps[0].Patch || p.Steps[0].RequiresSSP {
		t.Errorf("patch hop flags: %+v", p.Steps[0])
	}
	if p.Steps[1].Patch || !p.Steps[1].RequiresSSP {
		t.Errorf("cross hop flags: %+v", p.Steps[1])
	}
	alts, _ := c.Paths(ProductSM, "8.1.3.8", "10.2.0.1", "", 1)
	if len(alts) != 2 || alts[1].Key() != "8.1.3.8>10.1.3.0;10.1.3.0>10.2.0.1;" {
		t.Errorf("alternatives = %+v", alts)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, src := range map[string]string{
		"syntax":         `rules {`,
		"no rules":       `product "x" {}`,
		"bad line":       "rules {\ncluster_size=1\nmax_lines=2\nsmgr_ssp_target=\"1.0\"\nsmgr_ssp_from=\"1.0\"\nuds_split_to=\"1.0\"\n}\nproduct \"p\" {\nline \"1.0\" { latest = \"2.0.0.0\" }\n}",
		"line as latest": "rules {\ncluster_size=1\nmax_lines=2\nsmgr_ssp_target=\"1.0\"\nsmgr_ssp_from=\"1.0\"\nuds_split_to=\"1.0\"\n}\nproduct \"p\" {\nline \"1.0\" { latest = \"1.0\" }\n}",
		"bad hop":        "rules {\ncluster_size=1\nmax_lines=2\nsmgr_ssp_target=\"1.0\"\nsmgr_ssp_from=\"1.0\"\nuds_split_to=\"1.0\"\n}\nproduct \"p\" {\nline \"1.0\" { latest = \"1.0.0.0\" }\nhop \"1.0\" \"2.0\" {}\n}",
		"bad duration":   "rules {\ncluster_size=1\nmax_lines=2\nsmgr_ssp_target=\"1.0\"\nsmgr_ssp_from=\"1.0\"\nuds_split_to=\"1.0\"\n}\nproduct \"p\" {\nestimate { upgrade = \"soon\" }\n}",
		"unknown attr":   "rules {\ncluster_size=1\nmax_lines=2\nsmgr_ssp_target=\"1.0\"\nsmgr_ssp_from=\"1.0\"\nuds_split_to=\"1.0\"\nbogus=1\n}",
	} {
		c, diags := Load([]byte(src), "cat.hcl")
		if !diags.HasErrors() || c != nil {
			t.Errorf("%s: want error diagnostics, got %v", name, diags)
			continue
		}
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Filename != "cat.hcl" {
				t.Errorf("%s: diagnostic without position: %v", name, d)
			}
		}
	}
}

func TestCompare(t *testing.T) {
	if Compare("10.2.0.1", "8.1.3.8") != 1 || Compare("8.1.3.8", "8.1.3.8") != 0 || CompareLines("7.1", "10.1") != -1 {
		t.Fatal("numeric ordering broken")
	}
	if LineOf("10.2.0.1") != "10.2" || LineOf("x") != "" || LineOf("10.2") != "10.2" {
		t.Fatal("LineOf")
	}
}
