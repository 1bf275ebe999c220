package catalog

import "github.com/runbook-dev/runbook/internal/release"

// The catalog reads releases with internal/release, the parser the planner,
// the executor and the simulator share; these names keep the catalog's API.

// Version is a parsed release A.B.C.D.
type Version = release.Version

// ParseRelease parses a release of exactly four dot-separated numbers.
func ParseRelease(s string) (Version, error) { return release.Parse(s) }

// LineOf returns the line ("8.1") of a release ("8.1.3.8"); a line is its
// own line ("10.2" → "10.2"); anything else gives "" (see release.Line).
func LineOf(r string) string { return release.Line(r) }

// Compare orders two releases; a malformed release sorts before any valid one.
func Compare(a, b string) int { return release.Compare(a, b) }

// CompareLines orders two lines "A.B" numerically.
func CompareLines(a, b string) int { return release.CompareLines(a, b) }
