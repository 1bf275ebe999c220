package sim

import (
	"strings"
	"testing"
)

// A fact script (commands the node models, each followed by a printf of
// its status) runs as a shell would run it; a line that mixes in anything
// else is not taken apart: it stays one line for the real shell, which the
// lab does not run.
func TestSequenceOfModelledCommands(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0", Users: 7})
	r := mustOK(t, dir, "bash -lc swversion\nprintf '\\n__M_0_%s\\n' \"$?\"\nsmcli no-such; printf '\\n__M_1_%s\\n' \"$?\"\nsmcli users\nprintf '\\n__M_2_%s\\n' \"$?\"\n")
	want := []string{"Release: 10.1.3.0\n", "\n__M_0_0\n", "\n__M_1_2\n", "Users: 7\n\n__M_2_0\n"}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if i, j := strings.Index(r.stdout, "__M_0_"), strings.Index(r.stdout, "__M_2_"); i < 0 || j < i {
		t.Errorf("markers out of order:\n%s", r.stdout)
	}
	for _, line := range []string{"cd /tmp; smcli users", "smcli users; printf '%s' \"$HOME\"", "smcli users && printf 'x'"} {
		if r := execLine(t, dir, line, ""); !IsNotExecuted(r.code, []byte(r.stderr)) || strings.Contains(r.stdout, "Users:") {
			t.Errorf("%q ran in part: exit %d, stdout %q, stderr %q", line, r.code, r.stdout, r.stderr)
		}
	}
}
