// Package fileio holds the two file and stream helpers every layer needs:
// the sha256 of a local file (media, backups, transfers are all checked by
// it) and a reader that stops when its context ends. It imports nothing of
// the project, so the engine and the modules share one implementation.
package fileio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// SHA256 returns the hex sha256 of the file at path and its size in bytes.
// Media run to gigabytes, so the read stops with ctx's error once ctx ends.
func SHA256(ctx context.Context, path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, Reader(ctx, f))
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Reader returns a reader of r that fails with ctx's error once ctx ends,
// so a long copy can be cancelled. It hides r's WriterTo, so io.CopyBuffer
// uses the buffer it is given.
func Reader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
