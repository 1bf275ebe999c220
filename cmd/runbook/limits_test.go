package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A manifest over the size limit is refused with the flag that raises it,
// and the flag does raise it (validate and fmt alike).
func TestMaxManifestSize(t *testing.T) {
	t.Parallel()
	path := examples + "/core-cluster"
	stdout, stderr, code := runCLI(t, "", "validate", "--no-color", "--max-manifest-size", "1KiB", path)
	wantCode(t, code, 1, stdout, stderr, "validate --max-manifest-size 1KiB")
	if !strings.Contains(stderr, "Manifest too large") || !strings.Contains(stderr, "1 KiB") || !strings.Contains(stderr, "--max-manifest-size") {
		t.Errorf("want a size error naming the limit and the flag:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, "", "validate", "--no-color", "--max-manifest-size", "1MiB", path)
	wantCode(t, code, 0, stdout, stderr, "validate --max-manifest-size 1MiB")
	stdout, stderr, code = runCLI(t, "", "fmt", "--check", "--max-manifest-size", "1KiB", path)
	wantCode(t, code, 1, stdout, stderr, "fmt --max-manifest-size 1KiB")
	if !strings.Contains(stderr, "Manifest too large") {
		t.Errorf("fmt: want the size error:\n%s", stderr)
	}
	stdout, stderr, code = runCLI(t, "", "validate", "--max-manifest-size", "16MB", path)
	wantCode(t, code, 1, stdout, stderr, "validate --max-manifest-size 16MB")
	if !strings.Contains(stderr, "is not a size") {
		t.Errorf("want the flag error:\n%s", stderr)
	}
}

// A binary file given as the manifest is refused as not text; neither its
// bytes nor the escape sequences in it reach the terminal.
func TestBinaryManifest(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "upgrade.hcl")
	if err := os.WriteFile(file, []byte("\x7fELF\x02\x01\x01\x00\x1b]0;owned\x07\x1b[2J\xff\xfe"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "", "validate", file)
	wantCode(t, code, 1, stdout, stderr, "validate", file)
	if !strings.Contains(stderr, "Manifest file is not text") || !strings.Contains(stderr, "upgrade.hcl:1:8") {
		t.Errorf("want a not-text error at the NUL byte (1:8):\n%s", stderr)
	}
	for _, bad := range []string{"\x00", "\x07", "\x1b]", "\x1b[2J", "\xff", "ELF"} {
		if strings.Contains(stderr+stdout, bad) {
			t.Errorf("output holds %q:\n%q", bad, stderr)
		}
	}
}
