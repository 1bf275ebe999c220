package dryrun

import (
	"context"

	"github.com/runbook-dev/runbook/modules"
)

// Dialer gates every connection it opens, so an engine given this Dialer
// cannot reach a node without passing the gate. With a nil inner Dialer it
// works offline: Dial connects nowhere and read-only commands fail with
// ErrOffline.
type Dialer struct {
	inner modules.Dialer
	rec   *Recorder
}

var _ modules.Dialer = (*Dialer)(nil)

// NewDialer gates inner (nil for offline) and records every node's held-back
// changes into rec (nil: a new Recorder).
func NewDialer(inner modules.Dialer, rec *Recorder) *Dialer {
	if rec == nil {
		rec = NewRecorder()
	}
	return &Dialer{inner: inner, rec: rec}
}

// Recorder returns the recorder shared by all connections of d.
func (d *Dialer) Recorder() *Recorder { return d.rec }

// Dial opens the inner connection (unless offline) and wraps it.
func (d *Dialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	if d.inner == nil {
		return Wrap(nil, t.Node, d.rec), nil
	}
	c, err := d.inner.Dial(ctx, t)
	if err != nil {
		return nil, err
	}
	return Wrap(c, t.Node, d.rec), nil
}
