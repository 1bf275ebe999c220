package catalog

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed release A.B.C.D.
type Version [4]int

// ParseRelease parses a release string of exactly four dot-separated
// non-negative numbers.
func ParseRelease(s string) (Version, error) {
	var v Version
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return v, fmt.Errorf("release %q is not of the form A.B.C.D", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '+') {
			return v, fmt.Errorf("release %q is not of the form A.B.C.D", s)
		}
		v[i] = n
	}
	return v, nil
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

// LineOf returns the line ("8.1") of a release ("8.1.3.8"), or "" when the
// release is malformed.
func LineOf(release string) string {
	v, err := ParseRelease(release)
	if err != nil {
		return ""
	}
	return v.Line()
}

// Compare orders two releases; a malformed release sorts before any valid one.
func Compare(a, b string) int {
	va, ea := ParseRelease(a)
	vb, eb := ParseRelease(b)
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

// CompareLines orders two lines "A.B" numerically.
func CompareLines(a, b string) int {
	return Compare(a+".0.0", b+".0.0")
}
