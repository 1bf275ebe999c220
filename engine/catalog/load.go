package catalog

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/runbook-dev/runbook/schema"
)

type rulesSpec struct {
	ClusterSize   int    `hcl:"cluster_size"`
	MaxLines      int    `hcl:"max_lines"`
	SMGRSSPTarget string `hcl:"smgr_ssp_target"`
	SMGRSSPFrom   string `hcl:"smgr_ssp_from"`
	UDSSplitTo    string `hcl:"uds_split_to"`
	StepEstimate  string `hcl:"step_estimate,optional"`
}

// Block shapes of the catalog file, decoded with gohcl.

type platformSpec struct {
	Name string `hcl:"name,label"`
	Rule string `hcl:"rule"`
	Hint string `hcl:"hint,optional"`
	// SoftwareOnlyFrom: see Platform.SoftwareOnlyFrom.
	SoftwareOnlyFrom string `hcl:"software_only_from,optional"`
}

type lineSpec struct {
	Name      string         `hcl:"name,label"`
	Latest    string         `hcl:"latest"`
	LatestSSP *int           `hcl:"latest_ssp,optional"`
	SSP       map[string]int `hcl:"ssp,optional"`
	Platforms []string       `hcl:"platforms,optional"`
}

type hopSpec struct {
	From           string `hcl:"from,label"`
	To             string `hcl:"to,label"`
	RequiresLatest bool   `hcl:"requires_latest,optional"`
	RequiresSSP    bool   `hcl:"requires_ssp,optional"`
	MinFrom        string `hcl:"min_from,optional"`
}

type firewallSpec struct {
	Ports []portSpec `hcl:"port,block"`
}

type portSpec struct {
	From     string `hcl:"from"`
	To       string `hcl:"to"`
	Port     int    `hcl:"port"`
	Protocol string `hcl:"protocol,optional"`
	Purpose  string `hcl:"purpose,optional"`
}

// Default loads the embedded catalog. The embedded file is tested, so an
// error here is a build defect and panics.
func Default() *Catalog {
	c, diags := Load(schema.Catalog, "schema/catalog.hcl")
	if diags.HasErrors() {
		panic("embedded release catalog is invalid: " + diags.Error())
	}
	return c
}

// Load parses and checks a catalog file. It never panics on bad input: every
// problem is a diagnostic with the file position.
func Load(src []byte, filename string) (*Catalog, hcl.Diagnostics) {
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, diags
	}
	// The estimate block is a map of attributes; gohcl decodes a block into a
	// map only through a remain body, so decode it by hand.
	sawRules := false
	content, diags2 := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "rules"}, {Type: "platform", LabelNames: []string{"name"}},
		{Type: "product", LabelNames: []string{"name"}}, {Type: "firewall"},
	}})
	diags = append(diags, diags2...)
	if diags.HasErrors() {
		return nil, diags
	}
	c := &Catalog{Products: map[string]*Product{}, Platforms: map[string]*Platform{}}
	for _, b := range content.Blocks {
		switch b.Type {
		case "rules":
			var r rulesSpec
			diags = append(diags, gohcl.DecodeBody(b.Body, nil, &r)...)
			sawRules = true
			c.Rules = Rules{ClusterSize: r.ClusterSize, MaxLines: r.MaxLines,
				SMGRSSPTarget: r.SMGRSSPTarget, SMGRSSPFrom: r.SMGRSSPFrom, UDSSplitTo: r.UDSSplitTo,
				StepEstimate: time.Minute}
			if r.StepEstimate != "" {
				d, err := time.ParseDuration(r.StepEstimate)
				if err != nil {
					diags = append(diags, errAt(b.DefRange, "Invalid step_estimate", err.Error()))
				}
				c.Rules.StepEstimate = d
			}
		case "platform":
			var p platformSpec
			diags = append(diags, gohcl.DecodeBody(b.Body, nil, &p)...)
			c.Platforms[b.Labels[0]] = &Platform{Name: b.Labels[0], Rule: p.Rule, Hint: p.Hint, SoftwareOnlyFrom: p.SoftwareOnlyFrom}
		case "product":
			p, d := loadProduct(b)
			diags = append(diags, d...)
			if p != nil {
				c.Products[p.Name] = p
			}
		case "firewall":
			var fw firewallSpec
			diags = append(diags, gohcl.DecodeBody(b.Body, nil, &fw)...)
			for _, p := range fw.Ports {
				c.Firewall = append(c.Firewall, Port(p))
			}
		}
	}
	if !sawRules {
		diags = append(diags, errAt(f.Body.MissingItemRange(), "Missing rules block", "A catalog needs a rules block (cluster_size, max_lines, …)."))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return c, diags
}

func loadProduct(b *hcl.Block) (*Product, hcl.Diagnostics) {
	content, diags := b.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "line", LabelNames: []string{"name"}},
		{Type: "hop", LabelNames: []string{"from", "to"}},
		{Type: "estimate"},
	}})
	p := &Product{Name: b.Labels[0], Estimates: map[string]time.Duration{}}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "line":
			var ls lineSpec
			diags = append(diags, gohcl.DecodeBody(blk.Body, nil, &ls)...)
			l := &Line{Name: blk.Labels[0], Latest: ls.Latest, LatestSSP: -1, SSP: ls.SSP,
				Platforms: ls.Platforms, Range: blk.DefRange}
			if ls.LatestSSP != nil {
				l.LatestSSP = *ls.LatestSSP
			}
			if !releaseOfLine(l.Latest, l.Name) {
				diags = append(diags, errAt(blk.DefRange, "Invalid line",
					fmt.Sprintf("latest release %q is not an A.B.C.D release of line %q.", l.Latest, l.Name)))
			}
			for r := range l.SSP {
				if !releaseOfLine(r, l.Name) {
					diags = append(diags, errAt(blk.DefRange, "Invalid ssp entry",
						fmt.Sprintf("release %q is not in line %q.", r, l.Name)))
				}
			}
			p.Lines = append(p.Lines, l)
		case "hop":
			var hs hopSpec
			diags = append(diags, gohcl.DecodeBody(blk.Body, nil, &hs)...)
			p.Hops = append(p.Hops, &Hop{From: blk.Labels[0], To: blk.Labels[1],
				RequiresLatest: hs.RequiresLatest, RequiresSSP: hs.RequiresSSP, MinFrom: hs.MinFrom})
		case "estimate":
			attrs, d := blk.Body.JustAttributes()
			diags = append(diags, d...)
			for name, a := range attrs {
				var s string
				diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &s)...)
				dur, err := time.ParseDuration(s)
				if err != nil {
					diags = append(diags, errAt(a.Range, "Invalid duration", err.Error()))
					continue
				}
				p.Estimates[name] = dur
			}
		}
	}
	sort.SliceStable(p.Lines, func(i, j int) bool { return CompareLines(p.Lines[i].Name, p.Lines[j].Name) < 0 })
	known := map[string]bool{}
	for _, l := range p.Lines {
		known[l.Name] = true
	}
	for _, h := range p.Hops {
		if !known[h.From] || !known[h.To] || CompareLines(h.From, h.To) >= 0 {
			diags = append(diags, errAt(b.DefRange, "Invalid hop",
				fmt.Sprintf("hop %s -> %s of %s must join two listed lines, older to newer.", h.From, h.To, p.Name)))
		}
	}
	return p, diags
}

func errAt(r hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}
}

// releaseOfLine says whether r is an A.B.C.D release of the line named line
// (a line's own name, which LineOf accepts, is not a release of it).
func releaseOfLine(r, line string) bool {
	v, err := ParseRelease(r)
	return err == nil && v.Line() == line
}
