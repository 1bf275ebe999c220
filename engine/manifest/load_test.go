package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/manifest"
)

const validFile = "runbook \"r\" {\n  target = \"10.2.0.1\"\n}\n"

// manifestDir makes a directory holding a valid a.hcl.
func manifestDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.hcl"), []byte(validFile), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wantReadError checks that diags hold exactly one error whose summary is
// summary and whose detail contains every one of parts.
func wantReadError(t *testing.T, diags hcl.Diagnostics, summary string, parts ...string) {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != hcl.DiagError || diags[0].Summary != summary {
		t.Fatalf("want one %q error, got %v", summary, diags)
	}
	for _, p := range parts {
		if !strings.Contains(diags[0].Detail, p) {
			t.Errorf("detail %q does not say %q", diags[0].Detail, p)
		}
	}
}

// A *.hcl symbolic link that loops is an error naming it, not a file left out
// (and not "holds no *.hcl file" when it is the only one).
func TestReadPathSymlinkLoop(t *testing.T) {
	dir := manifestDir(t)
	loop := filepath.Join(dir, "loop.hcl")
	if err := os.Symlink("loop.hcl", loop); err != nil {
		t.Fatal(err)
	}
	_, diags := manifest.ReadPath(dir)
	wantReadError(t, diags, "Cannot read manifest", loop, "loops")

	only := t.TempDir()
	if err := os.Symlink("x.hcl", filepath.Join(only, "x.hcl")); err != nil {
		t.Fatal(err)
	}
	_, diags = manifest.ReadPath(only)
	wantReadError(t, diags, "Cannot read manifest", "x.hcl", "loops")
}

// A dangling *.hcl symbolic link is an error naming the link and its target.
func TestReadPathDanglingSymlink(t *testing.T) {
	dir := manifestDir(t)
	link := filepath.Join(dir, "nodes.hcl")
	if err := os.Symlink("../shared/nodes.hcl", link); err != nil {
		t.Fatal(err)
	}
	_, diags := manifest.ReadPath(dir)
	wantReadError(t, diags, "Cannot read manifest", link, "../shared/nodes.hcl", "does not exist")
}

// A symbolic link to a manifest file is read like the file itself.
func TestReadPathFollowsSymlink(t *testing.T) {
	dir := manifestDir(t)
	shared := filepath.Join(t.TempDir(), "nodes.hcl")
	if err := os.WriteFile(shared, []byte("locals {\n  x = 1\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(dir, "nodes.hcl")); err != nil {
		t.Fatal(err)
	}
	files, diags := manifest.ReadPath(dir)
	if len(diags) != 0 || len(files) != 2 || files[filepath.Join(dir, "nodes.hcl")] == nil {
		t.Fatalf("files %v, diags %v", files, diags)
	}
}

// A *.hcl entry that is not a regular file (a FIFO here, which would block a
// plain read) is an error naming it.
func TestReadPathNotRegular(t *testing.T) {
	dir := manifestDir(t)
	fifo := filepath.Join(dir, "fifo.hcl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, diags := manifest.ReadPath(dir)
	wantReadError(t, diags, "Cannot read manifest", fifo, "not a regular file")
	_, diags = manifest.ReadPath(fifo)
	wantReadError(t, diags, "Cannot read manifest", fifo, "not a regular file")
}

// The size limit holds for all files together, says how to raise it, and
// stops reading: nothing is returned.
func TestReadPathSizeLimit(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.hcl", "b.hcl"} {
		src := validFile + "# " + strings.Repeat("x", 600) + "\n"
		if name == "b.hcl" {
			src = "locals {\n  y = 1\n}\n# " + strings.Repeat("x", 600) + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, diags := manifest.ReadPathMax(dir, 1<<10)
	wantReadError(t, diags, "Manifest too large", "1 KiB", "--max-manifest-size")
	if files != nil {
		t.Errorf("a manifest over the limit returned files: %v", files)
	}
	if files, diags := manifest.ReadPathMax(dir, 2<<10); len(diags) != 0 || len(files) != 2 {
		t.Fatalf("under the limit: files %d, diags %v", len(files), diags)
	}
	if manifest.DefaultMaxSize != 16<<20 {
		t.Errorf("default limit %d, want 16 MiB", manifest.DefaultMaxSize)
	}
}

// A binary file is refused as not text, at the first offending byte, and its
// bytes are not returned (so no snippet can echo them).
func TestReadPathBinary(t *testing.T) {
	dir := manifestDir(t)
	bin := filepath.Join(dir, "z.hcl")
	if err := os.WriteFile(bin, []byte("locals {}\n\x7fELF\x02\x01\x00\x1b[31m"), 0o600); err != nil {
		t.Fatal(err)
	}
	files, diags := manifest.ReadPath(dir)
	wantReadError(t, diags, "Manifest file is not text", "NUL byte")
	if s := diags[0].Subject; s == nil || s.Filename != bin || s.Start.Line != 2 || s.Start.Column != 7 {
		t.Errorf("subject %v, want %s:2:7", diags[0].Subject, bin)
	}
	if files[bin] != nil {
		t.Errorf("the binary file's bytes were returned")
	}
}

// Diagnostics never print control characters from a manifest: not in the
// snippet, the summary, the detail or the file name.
func TestWriteDiagnosticsSanitizes(t *testing.T) {
	src := []byte("locals {\n  x = \"\x1b]0;pwned\x07\x1b[2J\" \u202e\n}\n")
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Bad \x1b[31mvalue",
		Detail:   "The value \x1b[2J is wrong.\nSecond line.",
		Subject:  &hcl.Range{Filename: "m\x1b.hcl", Start: hcl.Pos{Line: 2, Column: 7}, End: hcl.Pos{Line: 2, Column: 20}},
	}
	var out bytes.Buffer
	if err := manifest.WriteDiagnostics(&out, map[string][]byte{"m\x1b.hcl": src}, hcl.Diagnostics{d}, 0, false); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(got, bad) {
			t.Errorf("output holds %q:\n%q", bad, got)
		}
	}
	if !strings.Contains(got, "Second line.") || !strings.Contains(got, "pwned") {
		t.Errorf("sanitizing lost text:\n%s", got)
	}
	// The caret still sits under the range: one mark per replaced character.
	lines := strings.Split(got, "\n")
	for i, l := range lines {
		if strings.Contains(l, "pwned") && i+1 < len(lines) {
			if c := strings.Count(lines[i+1], "^"); c != 13 {
				t.Errorf("caret line %q has %d marks, want 13", lines[i+1], c)
			}
		}
	}
}
