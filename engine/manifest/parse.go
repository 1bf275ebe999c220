package manifest

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// ParseConfig says what to parse. It takes bytes, not paths, so that tests and
// the fuzzer need no files; ReadPath builds Files from a file or a directory.
type ParseConfig struct {
	// Files maps a file name (as diagnostics will show it) to its content.
	Files map[string][]byte
}

// Parse parses every file of c in file-name order and decodes the blocks into
// one Manifest. Decoding continues past a bad block so that several problems
// are reported at once. The Manifest is never nil; a file with syntax errors
// contributes nothing to it, since a half-parsed body would only produce
// misleading follow-up errors.
func (c ParseConfig) Parse() (*Manifest, hcl.Diagnostics) {
	m := &Manifest{Files: c.Files}
	if m.Files == nil {
		m.Files = map[string][]byte{}
	}
	var diags hcl.Diagnostics
	names := make([]string, 0, len(c.Files))
	for name := range c.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	d := &decoder{m: m, seen: map[string]map[string]hcl.Range{}}
	for _, name := range names {
		if d := CheckText(name, c.Files[name]); d != nil {
			diags = append(diags, d)
			m.Incomplete = true
			continue
		}
		f, fdiags := hclsyntax.ParseConfig(c.Files[name], name, hcl.InitialPos)
		diags = append(diags, fdiags...)
		if f == nil || hasSyntaxErrors(fdiags) {
			m.Incomplete = true
			continue
		}
		d.file(f.Body)
	}
	return m, append(diags, d.diags...)
}

// Parse is a shorthand for ParseConfig{Files: files}.Parse().
func Parse(files map[string][]byte) (*Manifest, hcl.Diagnostics) {
	return ParseConfig{Files: files}.Parse()
}

// hasSyntaxErrors reports whether diags hold an error that left the file
// half-parsed. "Attribute redefined" is reported by the parser too, but the
// body is complete then, so decoding goes on and reports the other problems.
func hasSyntaxErrors(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary != "Attribute redefined" {
			return true
		}
	}
	return false
}
