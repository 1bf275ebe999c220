package main

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
)

// TestLiveOutputRedactsAcrossWrites: -v's stream catches a secret split
// across writes and lines, prefixes every line with its step and prints the
// last, unterminated line when the command ends.
func TestLiveOutputRedactsAcrossWrites(t *testing.T) {
	var out syncBuffer
	l := &liveOutput{w: &out, red: record.NewRedactor("Zq9-secret")}
	w := l.writer("sm-dal", "core/sm-dal/1/show")
	for _, p := range []string{"first line\nto", "ken Zq9-se", "cret here\n\x1b[31mlast"} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "Zq9-secret") || strings.Contains(got, "\x1b") {
		t.Fatalf("the stream leaks the secret or an escape sequence:\n%q", got)
	}
	for _, want := range []string{"  core/sm-dal/1/show | first line\n", "  core/sm-dal/1/show | token (sensitive) here\n", "  core/sm-dal/1/show | "} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%q", want, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 3 {
		t.Errorf("%d lines, want 3:\n%q", n, got)
	}
}
