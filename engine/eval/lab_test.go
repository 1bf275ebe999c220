package eval_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
)

func TestLabBlockedPorts(t *testing.T) {
	cfg := load(t, minimal+`
lab {
  node "sm-dal" {
    blocked_ports = [5061, 61617]
  }
}`, eval.LoadOptions{})
	if got := cfg.Lab.Nodes["sm-dal"].BlockedPorts; !slices.Equal(got, []int{5061, 61617}) {
		t.Fatalf("blocked_ports = %v", got)
	}
}

// A bad port is reported at the element that holds it when the list is
// written out, else at the attribute, with what is expected.
func TestLabBlockedPortsDiagnostics(t *testing.T) {
	cases := []struct {
		value, summary string
		col            int // 0: any column on the line
	}{
		{`[443, 70000]`, "Invalid number", 27},
		{`[0]`, "Invalid number", 22},
		{`[44.3]`, "Invalid number", 22},
		{`["https"]`, "Incorrect attribute value type", 0},
		{`443`, "Incorrect attribute value type", 0},
	}
	for _, c := range cases {
		diags := loadErr(t, minimal+`
lab {
  node "sm-dal" {
    blocked_ports = `+c.value+`
  }
}`, eval.LoadOptions{})
		d := diags[0]
		if len(diags) != 1 || d.Summary != c.summary || d.Subject == nil || d.Subject.Start.Line != 12 ||
			(c.col != 0 && d.Subject.Start.Column != c.col) {
			t.Errorf("%s: %v (subject %+v)", c.value, diags, d.Subject)
		}
		if c.summary == "Invalid number" && !strings.Contains(d.Detail, "1 to 65535") {
			t.Errorf("%s: detail %q", c.value, d.Detail)
		}
	}
}
