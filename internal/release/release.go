// Package release reads Session Manager releases ("10.2.0.1") and names
// their lines ("10.2"). It is the one parser of them: the catalog, the
// manifest's evaluation, the planner, the executor and the simulator all use
// it, so they cannot disagree about what a release or its line is. It
// imports nothing of the project, so the modules (the simulator) may use it
// as well as the engine.
package release

import (
	"errors"
	"fmt"
	"strings"
)

// Version is a parsed release A.B.C.D.
type Version [4]int

// maxDigits bounds each number: real releases have one to four digits, and
// the bound keeps reading them free of overflow.
const maxDigits = 4

var errMalformed = errors.New("malformed")

// Parse reads a release: exactly four dot-separated numbers of one to four
// ASCII digits ("10.2.0.1"). Leading zeros are read as decimal ("08.1.3.8"
// is 8.1.3.8); signs, spaces and empty parts are refused.
func Parse(s string) (Version, error) {
	var v Version
	if n, err := numbers(s, v[:]); err != nil || n != len(v) {
		return Version{}, fmt.Errorf("release %q is not of the form A.B.C.D", s)
	}
	return v, nil
}

// numbers reads the dot-separated numbers of s into into and returns how
// many there were; more than len(into) is an error. It does not allocate:
// the planner's search calls it in its inner loop (LineKey).
func numbers(s string, into []int) (int, error) {
	n, digits, val := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || n == len(into) {
				return 0, errMalformed
			}
			into[n] = val
			n, digits, val = n+1, 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || digits == maxDigits {
			return 0, errMalformed
		}
		val, digits = val*10+int(c-'0'), digits+1
	}
	return n, nil
}

// Line returns the line "A.B" of a release A.B.C.D: "8.1.3.8" → "8.1". A
// line names itself, "10.2" → "10.2", so the line of a line (the catalog's
// line names, System Manager's line in a guard) is that line, not "". Leading
// zeros are dropped ("08.1.3.8" → "8.1"). Anything else is neither a release
// nor a line and has none: "", "10", "10.2.0", "1.2.3.4.5", "10.x.1.0",
// " 10.2.0.1" all give "".
func Line(s string) string {
	var v Version
	n, err := numbers(s, v[:])
	if err != nil || (n != 2 && n != len(v)) {
		return ""
	}
	return v.Line()
}

// LineKey maps the line of a release or line (as Line reads it) to
// A*10000+B, so lines compare as integers without allocating; -1 when s has
// no line.
func LineKey(s string) int {
	var v Version
	n, err := numbers(s, v[:])
	if err != nil || (n != 2 && n != len(v)) {
		return -1
	}
	return v[0]*10000 + v[1]
}

// Line returns the release line "A.B".
func (v Version) Line() string { return fmt.Sprintf("%d.%d", v[0], v[1]) }

// Compare orders two versions: -1, 0 or +1.
func (v Version) Compare(o Version) int {
	for i := range v {
		switch {
		case v[i] < o[i]:
			return -1
		case v[i] > o[i]:
			return 1
		}
	}
	return 0
}

// Compare orders two releases numerically. A malformed release sorts before
// any valid one (it is never taken for a newer release); two malformed ones
// compare as strings, so the order stays total.
func Compare(a, b string) int {
	va, ea := Parse(a)
	vb, eb := Parse(b)
	switch {
	case ea != nil && eb != nil:
		return strings.Compare(a, b)
	case ea != nil:
		return -1
	case eb != nil:
		return 1
	}
	return va.Compare(vb)
}

// CompareLines orders two lines "A.B" numerically (8.1 < 10.1), with the
// same rule for malformed ones as Compare.
func CompareLines(a, b string) int {
	return Compare(a+".0.0", b+".0.0")
}
