package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestApprovalPromptSaysLab: the lab's question says it is a rehearsal in
// the lab; a real apply's question does not.
func TestApprovalPromptSaysLab(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	base := t.TempDir()
	ask := func(args ...string) string {
		var out, errb syncBuffer
		io := &stdio{in: strings.NewReader("no\n"), out: &out, err: &errb, env: testEnv(), ctx: t.Context(),
			width: 100, inTTY: true}
		all := append(append([]string{"apply", "--records", filepath.Join(base, "records")}, args...), manifest)
		code := exitCode(run(all, io), &errb)
		wantCode(t, code, 1, out.String(), errb.String(), all...)
		return out.String()
	}
	lab := ask("--lab", "--lab-dir", filepath.Join(base, "lab"))
	if !strings.Contains(lab, "Rehearse this plan in the lab (3 simulated node(s) on 127.0.0.1; no real node is touched)? Only 'yes' is accepted") {
		t.Errorf("the lab's question does not say lab:\n%s", tail(lab, 2000))
	}
	real := ask()
	if !strings.Contains(real, "Apply this plan to 3 node(s)? Only 'yes' is accepted") || strings.Contains(real, "lab") {
		t.Errorf("the real apply's question:\n%s", tail(real, 2000))
	}
}
