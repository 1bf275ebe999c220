package modules

import (
	"os/exec"
	"testing"
)

func TestQuoteRoundTripsThroughShell(t *testing.T) {
	cases := []string{"", "plain", "10.2.0.1", "a b", "it's", `"dq"`, "$(rm -rf /)", "`id`", "a;b|c&d", "new\nline", "*", "~root"}
	for _, c := range cases {
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+Quote(c)).Output()
		if err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		if string(out) != c {
			t.Errorf("Quote(%q) through sh gave %q", c, out)
		}
	}
	if Quote("sm-dal.example.net") != "sm-dal.example.net" {
		t.Errorf("safe word was quoted: %s", Quote("sm-dal.example.net"))
	}
}
