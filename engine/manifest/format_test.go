package manifest_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/manifest"
)

func TestFormat(t *testing.T) {
	src := []byte("runbook \"r\" {\ntarget=\"10.2.0.1\"\n    change_id = \"C1\"\n}\n")
	want := "runbook \"r\" {\n  target    = \"10.2.0.1\"\n  change_id = \"C1\"\n}\n"
	if got := string(manifest.Format(src)); got != want {
		t.Fatalf("Format:\n%s\nwant:\n%s", got, want)
	}
	if got := manifest.Format([]byte(want)); string(got) != want {
		t.Errorf("Format is not idempotent: %q", got)
	}
	out, diags := manifest.FormatFile("bad.hcl", []byte("runbook \"r\" {\n  target = \n"))
	if !diags.HasErrors() || string(out) != "runbook \"r\" {\n  target = \n" {
		t.Errorf("FormatFile must refuse broken syntax and keep the source: %q %v", out, diags)
	}
}

func TestDiff(t *testing.T) {
	if d := manifest.Diff("x.hcl", []byte("a\n"), []byte("a\n")); d != "" {
		t.Errorf("equal inputs gave a diff: %q", d)
	}
	var a, b []string
	for i := 1; i <= 20; i++ {
		a = append(a, "line"+string(rune('a'+i)))
	}
	b = append(b, a...)
	b[2] = "changed"
	b = append(b[:15], append([]string{"inserted"}, b[15:]...)...)
	b = b[:len(b)-1]
	got := manifest.Diff("x.hcl", []byte(strings.Join(a, "\n")+"\n"), []byte(strings.Join(b, "\n")+"\n"))
	want := `--- x.hcl
+++ x.hcl
@@ -1,6 +1,6 @@
 lineb
 linec
-lined
+changed
 linee
 linef
 lineg
@@ -13,8 +13,8 @@
 linen
 lineo
 linep
+inserted
 lineq
 liner
 lines
 linet
-lineu
`
	if got != want {
		t.Fatalf("Diff:\n%s\nwant:\n%s", got, want)
	}
	// Cross-check with diff(1) when it is there: patch(1) would need the same hunks.
	if _, err := exec.LookPath("diff"); err == nil {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a"), []byte(strings.Join(a, "\n")+"\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "b"), []byte(strings.Join(b, "\n")+"\n"), 0o600)
		out, _ := exec.Command("diff", "-u", filepath.Join(dir, "a"), filepath.Join(dir, "b")).Output()
		lines := strings.SplitN(string(out), "\n", 3)
		if len(lines) == 3 && lines[2] != strings.SplitN(want, "\n", 3)[2] {
			t.Errorf("hunks differ from diff -u:\n%s", lines[2])
		}
	}
}

func TestWriteDiagnostics(t *testing.T) {
	files := map[string][]byte{"m.hcl": []byte("runbook \"r\" {\n\trelase = \"1\"\n}\n")}
	_, diags := manifest.Parse(files)
	var buf bytes.Buffer
	if err := manifest.WriteDiagnostics(&buf, files, diags, 0, false); err != nil {
		t.Fatal(err)
	}
	want := "Error: Unsupported argument\n\n  on m.hcl:2:2:\n     2: \trelase = \"1\"\n        \t^^^^^^\n\n" +
		"An argument named \"relase\" is not expected here. Valid arguments here: change_id, description, media_dir, target.\n\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	warn := hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "S", Detail: "D",
		Subject: &hcl.Range{Filename: "m.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 8}}}}
	manifest.WriteDiagnostics(&buf, files, warn, 0, true)
	if !strings.Contains(buf.String(), "\x1b[1;33mWarning:") || !strings.Contains(buf.String(), "\x1b[4mrunbook\x1b[0m") {
		t.Errorf("color output: %q", buf.String())
	}
}
