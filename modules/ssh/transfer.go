package ssh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"

	"github.com/runbook-dev/runbook/internal/fileio"
	"github.com/runbook-dev/runbook/modules"
)

// copyBuffer is large so that one Read or Write spans many SFTP packets, which
// the client then sends concurrently.
const copyBuffer = 1 << 20

// ChecksumError reports that the two ends of a transfer disagree.
type ChecksumError struct {
	Node, Path string
	Local      string // sha256 computed on the controller
	Remote     string // sha256 computed on the node
	Direction  string // "upload" | "download"
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("ssh %s: %s of %s: sha256 mismatch: controller %s, node %s",
		e.Node, e.Direction, e.Path, e.Local, e.Remote)
}

// sftpClient returns the connection's SFTP client, started on first use.
func (c *Conn) sftpClient() (*sftp.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sftp != nil {
		return c.sftp, nil
	}
	sc, err := sftp.NewClient(c.client, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true))
	if err != nil {
		return nil, c.transportErr("start sftp", err)
	}
	c.sftp = sc
	return sc, nil
}

// Upload streams local to remote over SFTP (creating remote's parent folders),
// hashing on the way, then has the node hash what it received.
func (c *Conn) Upload(ctx context.Context, local, remote string) (string, error) {
	f, err := os.Open(local)
	if err != nil {
		return "", fmt.Errorf("ssh %s: upload: %w", c.node, err)
	}
	defer f.Close()
	sc, err := c.sftpClient()
	if err != nil {
		return "", err
	}
	if dir := path.Dir(remote); dir != "." && dir != "/" {
		if err := sc.MkdirAll(dir); err != nil {
			return "", c.transportErr("create "+dir, err)
		}
	}
	w, err := sc.OpenFile(remote, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return "", c.transportErr("open "+remote, err)
	}
	h := sha256.New()
	_, err = io.CopyBuffer(writerOnly{w}, fileio.Reader(ctx, io.TeeReader(f, h)), make([]byte, copyBuffer))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = sc.Remove(remote)
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", c.transportErr("upload "+remote, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return sum, c.verify(ctx, "upload", remote, sum)
}

// Download streams remote to local through a temporary file (0600) in local's
// folder (created 0700), and renames it only once both ends agree.
func (c *Conn) Download(ctx context.Context, remote, local string) (string, error) {
	sc, err := c.sftpClient()
	if err != nil {
		return "", err
	}
	r, err := sc.Open(remote)
	if err != nil {
		return "", c.transportErr("open "+remote, err)
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(local), 0o700); err != nil {
		return "", fmt.Errorf("ssh %s: download: %w", c.node, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(local), "."+filepath.Base(local)+".part-*")
	if err != nil {
		return "", fmt.Errorf("ssh %s: download: %w", c.node, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	h := sha256.New()
	_, err = io.CopyBuffer(io.MultiWriter(tmp, h), fileio.Reader(ctx, r), make([]byte, copyBuffer))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", c.transportErr("download "+remote, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := c.verify(ctx, "download", remote, sum); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", fmt.Errorf("ssh %s: download: %w", c.node, err)
	}
	if err := os.Rename(tmp.Name(), local); err != nil {
		return "", fmt.Errorf("ssh %s: download: %w", c.node, err)
	}
	return sum, nil
}

// verify has the node hash remote and compares with the controller's sum.
func (c *Conn) verify(ctx context.Context, dir, remote, sum string) error {
	got, err := c.remoteSHA256(ctx, remote)
	if err != nil {
		return err
	}
	if got != sum {
		return &ChecksumError{Node: c.node, Path: remote, Local: sum, Remote: got, Direction: dir}
	}
	return nil
}

// remoteSHA256 runs sha256sum on the node, read-only, over the quoted path.
func (c *Conn) remoteSHA256(ctx context.Context, remote string) (string, error) {
	res, err := c.Run(ctx, modules.Command{Line: "sha256sum -- " + modules.Quote(remote), ReadOnly: true})
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("ssh %s: sha256sum %s: exit %d: %s", c.node, remote, res.ExitCode, lastLine(res.Stderr))
	}
	fields := strings.Fields(string(res.Stdout))
	if len(fields) == 0 {
		return "", fmt.Errorf("ssh %s: sha256sum %s printed nothing", c.node, remote)
	}
	// sha256sum prefixes the line with "\" when the name needs escaping.
	sum := strings.TrimPrefix(fields[0], `\`)
	if _, err := hex.DecodeString(sum); err != nil || len(sum) != 64 {
		return "", fmt.Errorf("ssh %s: sha256sum %s: unexpected output %q", c.node, remote, lastLine(res.Stdout))
	}
	return strings.ToLower(sum), nil
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// writerOnly hides ReaderFrom, so copies go through the large buffer.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }
