// Package dryrun is the single gate that makes a run a dry run. It wraps a
// modules.Conn: commands marked ReadOnly reach the node, every other command
// and every Upload is recorded and never executed. Modules need no dry-run
// branch of their own; an unmarked command counts as a change.
//
// Download passes through: it reads the node and writes only on the
// controller (a backup archive into the record store). A module that
// downloads what a skipped command would have produced must check
// Result.Skipped first.
package dryrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/internal/fileio"
	"github.com/runbook-dev/runbook/modules"
)

// ErrOffline is returned for what needs the node (read-only commands,
// downloads) when the gate wraps no connection.
var ErrOffline = errors.New("dry-run: no connection in offline mode")

// Kind of a recorded entry.
const (
	KindRun    = "run"
	KindUpload = "upload"
)

// Entry is one change the dry run held back, in the order it was asked for.
type Entry struct {
	Node    string
	Kind    string // KindRun | KindUpload
	Line    string // the command line (KindRun)
	Timeout time.Duration
	Stdin   bool   // the command would have read stdin
	Local   string // KindUpload: controller path
	Remote  string // KindUpload: node path
	SHA256  string // KindUpload: sha256 of the local file
}

// Recorder collects entries from any number of gated connections (one per
// node), in order. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	entries []Entry
	sums    map[fileID]string
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

func (r *Recorder) add(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
}

// Recorded returns a copy of the entries so far.
func (r *Recorder) Recorded() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Conn is the gate around one node's connection.
type Conn struct {
	inner modules.Conn // nil in offline mode
	node  string
	rec   *Recorder
}

var _ modules.Conn = (*Conn)(nil)

// Wrap gates inner for node. inner may be nil (offline: nothing reaches any
// node). rec may be shared between nodes; nil gives the gate its own.
func Wrap(inner modules.Conn, node string, rec *Recorder) *Conn {
	if rec == nil {
		rec = NewRecorder()
	}
	return &Conn{inner: inner, node: node, rec: rec}
}

// Recorded returns the entries of the gate's recorder (all nodes sharing it).
func (c *Conn) Recorded() []Entry { return c.rec.Recorded() }

// Run passes ReadOnly commands to the node and records all others, returning
// a Skipped result with exit status 0.
func (c *Conn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	if cmd.ReadOnly {
		if c.inner == nil {
			return modules.Result{}, fmt.Errorf("%s: %w (read-only command needs the node)", c.node, ErrOffline)
		}
		return c.inner.Run(ctx, cmd)
	}
	if err := ctx.Err(); err != nil {
		return modules.Result{}, err
	}
	c.rec.add(Entry{Node: c.node, Kind: KindRun, Line: cmd.Line, Timeout: cmd.Timeout, Stdin: cmd.Stdin != nil})
	return modules.Result{Skipped: true}, nil
}

// Upload records the transfer and sends nothing. It returns the local file's
// sha256, so a module comparing it with the artifact's checksum behaves as in
// a real run, and a missing or unreadable artifact fails the dry run.
func (c *Conn) Upload(ctx context.Context, local, remote string) (string, error) {
	sum, err := c.rec.localSHA256(ctx, local)
	if err != nil {
		return "", fmt.Errorf("dry-run %s: upload %s: %w", c.node, local, err)
	}
	c.rec.add(Entry{Node: c.node, Kind: KindUpload, Local: local, Remote: remote, SHA256: sum})
	return sum, nil
}

// Download passes through (see the package comment).
func (c *Conn) Download(ctx context.Context, remote, local string) (string, error) {
	if c.inner == nil {
		return "", fmt.Errorf("%s: %w (download of %s needs the node)", c.node, ErrOffline, remote)
	}
	return c.inner.Download(ctx, remote, local)
}

// Close closes the wrapped connection, if any.
func (c *Conn) Close() error {
	if c.inner == nil {
		return nil
	}
	return c.inner.Close()
}

// fileID identifies a file version, so one medium uploaded to many nodes is
// hashed once.
type fileID struct {
	path string
	size int64
	mod  time.Time
}

func (r *Recorder) localSHA256(ctx context.Context, path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	id := fileID{path, st.Size(), st.ModTime()}
	r.mu.Lock()
	sum, ok := r.sums[id]
	r.mu.Unlock()
	if ok {
		return sum, nil
	}
	if sum, _, err = fileio.SHA256(ctx, path); err != nil {
		return "", err
	}
	r.mu.Lock()
	if r.sums == nil {
		r.sums = map[fileID]string{}
	}
	r.sums[id] = sum
	r.mu.Unlock()
	return sum, nil
}
