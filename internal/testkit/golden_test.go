package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failures records what Golden reports instead of failing the real test.
type failures struct {
	testing.TB
	msgs []string
}

func (f *failures) Helper() {}
func (f *failures) Errorf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}
func (f *failures) Fatalf(format string, args ...any) { f.Errorf(format, args...) }

func TestGoldenReportsTheFirstDifferingLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("a\nb\nc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &failures{TB: t}
	Golden(f, path, []byte("a\nb\nc\n"))
	if len(f.msgs) != 0 {
		t.Fatalf("same content reported: %v", f.msgs)
	}
	Golden(f, path, []byte("a\nB\nc\n"))
	if len(f.msgs) != 1 || !strings.Contains(f.msgs[0], `line 2:`) || !strings.Contains(f.msgs[0], `got:  "B"`) {
		t.Fatalf("difference not reported: %v", f.msgs)
	}
	f.msgs = nil
	Golden(f, filepath.Join(t.TempDir(), "missing.golden"), []byte("a"))
	if len(f.msgs) != 1 || !strings.Contains(f.msgs[0], "-update") {
		t.Fatalf("missing file: %v", f.msgs)
	}
}
