package catalog

import (
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// Products: the names internal/rollout gives them (each kind's Product).
const (
	ProductSM   = rollout.ProductSM // SM and BSM
	ProductSMGR = rollout.ProductSMGR
)

// Catalog is the loaded release catalog.
type Catalog struct {
	Rules     Rules
	Products  map[string]*Product
	Platforms map[string]*Platform // platforms that lose support at some line
	Firewall  []Port
}

// Rules are the limits and rule parameters the guards read.
type Rules struct {
	ClusterSize   int    // most core SM instances in one enterprise (manifest)
	MaxLines      int    // most release lines among the enterprise's core SMs at any moment
	SMGRSSPTarget string // SMGR to this line waits for the latest SSP on SM/BSMs ...
	SMGRSSPFrom   string // ... of this line and later
	UDSSplitTo    string // line whose cross-line arrival splits User Data Storage
	StepEstimate  time.Duration
}

// Product is one product's lines, hops and phase estimates.
type Product struct {
	Name      string
	Lines     []*Line // ascending
	Hops      []*Hop  // in catalog order
	Estimates map[string]time.Duration
}

// Line is one release line.
type Line struct {
	Name      string // "8.1"
	Latest    string // "8.1.3.8"
	LatestSSP int    // latest SSP of the latest release; -1 when the line has none
	// SSP lists latest SSP levels of other releases of the line, when they differ.
	SSP       map[string]int
	Platforms []string // empty: any platform
	Range     hcl.Range
}

// Hop is one supported move between two lines.
type Hop struct {
	From, To       string // lines
	RequiresLatest bool   // the source must be the latest of its line
	MinFrom        string // the source must be at least this release ("" none)
	RequiresSSP    bool   // the latest SSP must be on the source release
}

// Platform names a platform that some lines no longer support, and the guard
// rule that reports it.
type Platform struct {
	Name, Rule, Hint string
	// SoftwareOnlyFrom is the line from which a node declared on this
	// platform runs the software-only offer and is accepted wherever its
	// path goes (a 10.1+ node on AWS IaaS); "" when the rule always applies.
	SoftwareOnlyFrom string
}

// Port is one row of the firewall port matrix.
type Port struct {
	From, To string // products
	Port     int
	Protocol string
	Purpose  string
}

// Product returns a product, nil when unknown.
func (c *Catalog) Product(name string) *Product { return c.Products[name] }

// Line returns the line a release (or a line name "A.B") belongs to, for a
// product; nil when the catalog does not know it.
func (c *Catalog) Line(product, release string) *Line {
	p := c.Products[product]
	if p == nil {
		return nil
	}
	name := LineOf(release) // a line's name is its own line
	for _, l := range p.Lines {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// Latest returns the latest release of a line ("" when unknown).
func (c *Catalog) Latest(product, line string) string {
	if l := c.Line(product, line); l != nil {
		return l.Latest
	}
	return ""
}

// LatestSSP returns the latest SSP level for a release: the release's own
// entry, else the line's latest SSP. ok is false when the catalog has no SSP
// for that release (nothing to install).
func (c *Catalog) LatestSSP(product, release string) (level int, ok bool) {
	if _, err := ParseRelease(release); err != nil {
		return -1, false
	}
	l := c.Line(product, release)
	if l == nil {
		return -1, false
	}
	if n, found := l.SSP[release]; found {
		return n, true
	}
	if l.LatestSSP < 0 {
		return -1, false
	}
	return l.LatestSSP, true
}

// Estimate returns the estimated duration of a phase for a product (zero when unknown).
func (c *Catalog) Estimate(product, phase string) time.Duration {
	if p := c.Products[product]; p != nil {
		return p.Estimates[phase]
	}
	return 0
}

// SupportsPlatform reports whether a line runs on a platform. An empty
// platform (not declared) or a line with no platform list is accepted.
func (l *Line) SupportsPlatform(platform string) bool {
	if platform == "" || len(l.Platforms) == 0 {
		return true
	}
	for _, p := range l.Platforms {
		if p == platform {
			return true
		}
	}
	return false
}

// hopsFrom returns the hops leaving a line, in catalog order.
func (p *Product) hopsFrom(line string) []*Hop {
	var out []*Hop
	for _, h := range p.Hops {
		if h.From == line {
			out = append(out, h)
		}
	}
	return out
}

// ProductNames returns the product names, sorted.
func (c *Catalog) ProductNames() []string {
	return slices.Sorted(maps.Keys(c.Products))
}
