package eval

import (
	"fmt"
	"strings"

	"github.com/agext/levenshtein"
)

// suggest returns ` Did you mean "x"?` for the candidate nearest to s, or ""
// when none is close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	best := Nearest(s, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// Nearest returns the candidate nearest to s when it is close enough to be a
// likely typo of it, else "". The CLI suggests command names with it too.
func Nearest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := levenshtein.Distance(strings.ToLower(s), strings.ToLower(c), nil)
		// Short names need a closer match, or every three-letter name would
		// suggest every other one.
		if d < 3 && 2*d <= len(s) && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}
