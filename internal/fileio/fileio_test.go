package fileio

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSHA256(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, n, err := SHA256(t.Context(), p)
	// sha256("abc"), from FIPS 180-2.
	if err != nil || n != 3 || sum != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("SHA256 = %s, %d, %v", sum, n, err)
	}
	if _, _, err := SHA256(t.Context(), filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := SHA256(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestReaderHidesWriterTo(t *testing.T) {
	if _, ok := Reader(t.Context(), strings.NewReader("x")).(io.WriterTo); ok {
		t.Fatal("Reader exposes WriteTo: io.CopyBuffer would not use its buffer")
	}
}
