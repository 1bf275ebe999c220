package release

import "testing"

func TestParseAndLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool    // a release A.B.C.D
		v    Version // when ok
		line string
	}{
		{"10.2.0.1", true, Version{10, 2, 0, 1}, "10.2"},
		{"8.1.3.8", true, Version{8, 1, 3, 8}, "8.1"},
		{"10.2", false, Version{}, "10.2"}, // a line names itself
		{"10.2.0", false, Version{}, ""},
		{"10", false, Version{}, ""},
		{"", false, Version{}, ""},
		{"abc", false, Version{}, ""},
		{"10.x.1", false, Version{}, ""},
		{"10.x.1.0", false, Version{}, ""},
		{"1.2.3.4.5", false, Version{}, ""},
		{"08.1.3.8", true, Version{8, 1, 3, 8}, "8.1"}, // leading zeros are decimal
		{"010.02", false, Version{}, "10.2"},
		{" 10.2.0.1", false, Version{}, ""},
		{"10.2.0.1 ", false, Version{}, ""},
		{"10. 2.0.1", false, Version{}, ""},
		{"10..0.1", false, Version{}, ""},
		{"10.2.0.", false, Version{}, ""},
		{".10.2", false, Version{}, ""},
		{"+10.2.0.1", false, Version{}, ""},
		{"-1.2.0.1", false, Version{}, ""},
		{"10.2.0.12345", false, Version{}, ""},
		{"99999999999999999999.1.0.0", false, Version{}, ""},
	} {
		v, err := Parse(c.in)
		if (err == nil) != c.ok || (c.ok && v != c.v) {
			t.Errorf("Parse(%q) = %v, %v; want %v, ok %v", c.in, v, err, c.v, c.ok)
		}
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if k := LineKey(c.in); (k >= 0) != (c.line != "") || (k >= 0 && k != LineKey(c.line)) {
			t.Errorf("LineKey(%q) = %d, not the key of line %q", c.in, k, c.line)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"10.2.0.1", "8.1.3.8", 1},
		{"8.1.3.8", "8.1.3.8", 0},
		{"10.1.3.0", "10.1.3.1", -1},
		{"08.1.3.8", "8.1.3.8", 0},
		{"garbage", "7.0.0.0", -1}, // malformed sorts first: never "newer"
		{"7.0.0.0", "10.2", 1},
		{"a", "b", -1},
	} {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"8.1", "10.1", -1},
		{"10.2", "10.1", 1},
		{"10.2", "10.2", 0},
		{"9.999", "10.0", -1},
		{"10.9999", "11.0", -1},
		{"", "7.1", -1},
	} {
		if got := CompareLines(c.a, c.b); got != c.want {
			t.Errorf("CompareLines(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if ka, kb := LineKey(c.a), LineKey(c.b); c.a != "" && (ka < kb) != (c.want < 0) {
			t.Errorf("LineKey orders %q and %q unlike CompareLines", c.a, c.b)
		}
	}
}
