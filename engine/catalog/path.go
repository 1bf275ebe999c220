package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Step is one hop of a node's path.
type Step struct {
	From, To string // releases
	// Patch is a move inside one line; CrossLine is its opposite.
	Patch bool
	// Inserted marks a patch hop the rules required (the source was below the
	// latest of its line), as opposed to one the target asked for.
	Inserted bool
	// RequiresSSP: the latest SSP of From must be installed before this hop.
	RequiresSSP bool
}

// Path is the ordered hops that take a node from its release to its target.
type Path struct {
	Steps []Step
}

// Releases lists every release the path passes through, the source first.
func (p Path) Releases(from string) []string {
	out := []string{from}
	for _, s := range p.Steps {
		out = append(out, s.To)
	}
	return out
}

// CrossLine counts the hops that change line.
func (p Path) CrossLine() int {
	n := 0
	for _, s := range p.Steps {
		if !s.Patch {
			n++
		}
	}
	return n
}

// Key is a stable text form of the path, used for ordering and memoisation.
func (p Path) Key() string {
	var b strings.Builder
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "%s>%s;", s.From, s.To)
	}
	return b.String()
}

// PathError says why no path exists; Rule is the guard id (path.unsupported,
// path.downgrade, platform.avp, …) and Hint the fix.
type PathError struct {
	Rule, Msg, Hint string
	// AtTarget says the target, not the current release, is at fault.
	AtTarget bool
}

func (e *PathError) Error() string { return e.Rule + ": " + e.Msg }

// maxLineHops bounds the line sequences the search enumerates.
const maxLineHops = 5

// Paths returns every supported path from a release to a target for a
// product on a platform, at most extra cross-line hops longer than the
// shortest, best first (fewest cross-line hops, then fewest hops, then by
// key). An empty path (already at target) is returned as one path with no
// steps.
func (c *Catalog) Paths(product, from, to, platform string, extra int) ([]Path, *PathError) {
	vf, err := ParseRelease(from)
	if err != nil {
		return nil, &PathError{Rule: "path.unsupported", Msg: err.Error(), Hint: "Write the release as A.B.C.D, e.g. 8.1.3.8."}
	}
	vt, err := ParseRelease(to)
	if err != nil {
		return nil, &PathError{Rule: "path.unsupported", Msg: "target " + err.Error(), Hint: "Write the target as A.B.C.D, e.g. 10.2.0.1."}
	}
	p := c.Products[product]
	if p == nil {
		return nil, &PathError{Rule: "path.unsupported", Msg: fmt.Sprintf("the catalog has no product %q", product)}
	}
	if e := c.unknownRelease(p, from, false); e != nil {
		return nil, e
	}
	if e := c.unknownRelease(p, to, true); e != nil {
		return nil, e
	}
	lf, lt := c.Line(product, from), c.Line(product, to)
	switch vt.Compare(vf) {
	case -1:
		return nil, &PathError{Rule: "path.downgrade", Msg: fmt.Sprintf("target %s is older than the current release %s", to, from),
			Hint: "Downgrades are not supported; restore a backup instead, or fix the declared release or target."}
	case 0:
		return []Path{{}}, nil
	}
	if lf == lt {
		return c.platformFilter(product, platform, from, to, []Path{{Steps: []Step{{From: from, To: to, Patch: true}}}})
	}
	var all []Path
	var walk func(lines []string)
	walk = func(lines []string) {
		last := lines[len(lines)-1]
		if last == lt.Name {
			if path, ok := c.build(product, from, to, lines); ok {
				all = append(all, path)
			}
			return
		}
		if len(lines) > maxLineHops {
			return
		}
		for _, h := range p.hopsFrom(last) {
			if !contains(lines, h.To) && CompareLines(h.To, lt.Name) <= 0 {
				walk(append(append([]string(nil), lines...), h.To))
			}
		}
	}
	walk([]string{lf.Name})
	if len(all) == 0 {
		return nil, &PathError{Rule: "path.unsupported", Msg: fmt.Sprintf("no supported path from %s to %s", from, to),
			Hint: "Supported hops from " + lf.Name + ": " + c.hopList(product, lf.Name) + ". Choose a target these reach (see `runbook releases`)."}
	}
	sortPaths(all)
	best := all[0].CrossLine()
	var out []Path
	for _, a := range all {
		if a.CrossLine() <= best+extra {
			out = append(out, a)
		}
	}
	return c.platformFilter(product, platform, from, to, out)
}

// unknownRelease checks that the catalog knows release r of product p: its
// line is listed and r is not above the line's latest. A release the catalog
// does not know (newer than its data) is path.unknown_release, fixed by a
// newer catalog; a line older than every listed line has no supported path.
func (c *Catalog) unknownRelease(p *Product, r string, target bool) *PathError {
	what := "release"
	if target {
		what = "target"
	}
	l := c.Line(p.Name, r)
	switch {
	case l == nil && len(p.Lines) > 0 && CompareLines(LineOf(r), p.Lines[0].Name) < 0:
		return &PathError{Rule: "path.unsupported", AtTarget: target,
			Msg:  fmt.Sprintf("%s %s: line %s is older than every line of the release catalog (oldest %s): no supported path", what, r, LineOf(r), p.Lines[0].Name),
			Hint: "Known lines: " + strings.Join(p.lineNames(), ", ") + ". Upgrade the node outside runbook first, or fix the release."}
	case l == nil:
		return &PathError{Rule: "path.unknown_release", AtTarget: target,
			Msg:  fmt.Sprintf("%s %s is not a release the catalog knows: line %s is not in it", what, r, LineOf(r)),
			Hint: "Known lines: " + strings.Join(p.lineNames(), ", ") + ". If the vendor published it, pass --catalog FILE with a catalog that lists it; otherwise fix the " + what + "."}
	case Compare(r, l.Latest) > 0:
		return &PathError{Rule: "path.unknown_release", AtTarget: target,
			Msg:  fmt.Sprintf("%s %s is not a release the catalog knows: the latest of line %s is %s", what, r, l.Name, l.Latest),
			Hint: fmt.Sprintf("If the vendor published %s, pass --catalog FILE with a catalog that lists it (latest = %q in line %q); otherwise fix the %s.", r, r, l.Name, what)}
	}
	return nil
}

// Path returns the preferred path. With multiHop false and a path that needs
// intermediate hops, it returns the path and a path.multi_hop error.
func (c *Catalog) Path(product, from, to, platform string, multiHop bool) (Path, *PathError) {
	all, perr := c.Paths(product, from, to, platform, 0)
	if perr != nil {
		return Path{}, perr
	}
	if !multiHop && all[0].CrossLine() > 1 {
		return all[0], &PathError{Rule: "path.multi_hop",
			Msg:  fmt.Sprintf("the path from %s to %s needs intermediate hops (%s) and policy.multi_hop is false", from, to, strings.Join(all[0].Releases(from), " -> ")),
			Hint: "Set multi_hop = true in the policy block, or choose an intermediate target for this change."}
	}
	return all[0], nil
}

// build turns a line sequence into hops, inserting patch hops where a hop
// requires the latest release (or a minimum) of its source line.
func (c *Catalog) build(product, from, to string, lines []string) (Path, bool) {
	p := c.Products[product]
	cur := from
	var steps []Step
	for i := 0; i+1 < len(lines); i++ {
		var hop *Hop
		for _, h := range p.hopsFrom(lines[i]) {
			if h.To == lines[i+1] {
				hop = h
				break
			}
		}
		if hop == nil {
			return Path{}, false
		}
		latest := c.Latest(product, lines[i])
		need := ""
		if hop.RequiresLatest {
			need = latest
		} else if hop.MinFrom != "" {
			need = hop.MinFrom
		}
		if need != "" && Compare(cur, need) < 0 {
			steps = append(steps, Step{From: cur, To: latest, Patch: true, Inserted: true})
			cur = latest
		}
		dest := c.Latest(product, lines[i+1])
		if i+2 == len(lines) {
			dest = to
		}
		steps = append(steps, Step{From: cur, To: dest, RequiresSSP: hop.RequiresSSP})
		cur = dest
	}
	return Path{Steps: steps}, true
}

// platformFilter drops paths through a line that does not run on the
// platform, and names the platform's rule when none is left.
func (c *Catalog) platformFilter(product, platform, from, to string, in []Path) ([]Path, *PathError) {
	if pl := c.Platforms[platform]; pl != nil && pl.SoftwareOnlyFrom != "" && CompareLines(LineOf(from), pl.SoftwareOnlyFrom) >= 0 {
		// A node already on SoftwareOnlyFrom or later runs the software-only
		// offer on that platform: nothing to move off.
		return in, nil
	}
	var out []Path
	var bad *Line
	for _, p := range in {
		ok := true
		for _, s := range p.Steps {
			if l := c.Line(product, s.To); l != nil && !l.SupportsPlatform(platform) {
				ok = false
				if bad == nil {
					bad = l
				}
				break
			}
		}
		if ok {
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	e := &PathError{Rule: "path.unsupported",
		Msg:  fmt.Sprintf("no supported path from %s to %s on platform %s: line %s does not run on %s", from, to, platform, bad.Name, platform),
		Hint: "Platforms of " + bad.Name + ": " + strings.Join(bad.Platforms, ", ") + "."}
	if pl := c.Platforms[platform]; pl != nil {
		e.Rule = pl.Rule
		e.Msg = fmt.Sprintf("node on %s cannot reach %s: line %s does not support %s", platform, to, bad.Name, platform)
		e.Hint = pl.Hint
	}
	return nil, e
}

func sortPaths(ps []Path) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.CrossLine() != b.CrossLine() {
			return a.CrossLine() < b.CrossLine()
		}
		if len(a.Steps) != len(b.Steps) {
			return len(a.Steps) < len(b.Steps)
		}
		return a.Key() < b.Key()
	})
}

func (p *Product) lineNames() []string {
	var out []string
	for _, l := range p.Lines {
		out = append(out, l.Name)
	}
	return out
}

// HopsFrom returns the lines a product's hops from line lead to, in catalog
// order (nil for an unknown product or line).
func (c *Catalog) HopsFrom(product, line string) []string {
	p := c.Products[product]
	if p == nil {
		return nil
	}
	var out []string
	for _, h := range p.hopsFrom(line) {
		out = append(out, h.To)
	}
	return out
}

func (c *Catalog) hopList(product, line string) string {
	var out []string
	for _, h := range c.Products[product].hopsFrom(line) {
		out = append(out, h.From+" -> "+h.To)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
