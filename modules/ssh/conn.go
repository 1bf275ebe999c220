package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules"
)

// settleLimit bounds how long a cancelled or dropped session may take to wind
// down locally. It guards against a wedged connection, nothing more.
const settleLimit = 30 * time.Second

// Conn is one SSH connection to one node. Every command opens a new session on
// it; SFTP shares it too. It is safe for concurrent use.
type Conn struct {
	d      *Dialer
	node   string
	client *ssh.Client
	jump   *ssh.Client
	gone   chan struct{} // closed when the connection ends

	mu   sync.Mutex
	sftp *sftp.Client
}

var _ modules.Conn = (*Conn)(nil)

func newConn(d *Dialer, node string, client, jump *ssh.Client) *Conn {
	c := &Conn{d: d, node: node, client: client, jump: jump, gone: make(chan struct{})}
	go func() {
		_ = client.Wait()
		close(c.gone)
	}()
	every := d.opts.KeepAlive
	if every == 0 {
		every = DefaultKeepAlive
	}
	if every > 0 {
		go c.keepAlive(every)
	}
	return c
}

// keepAlive closes the connection when the peer stops answering: each request
// may take up to three intervals.
func (c *Conn) keepAlive(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-c.gone:
			return
		case <-tick.C:
		}
		reply := make(chan error, 1)
		go func() {
			_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		select {
		case <-c.gone:
			return
		case err := <-reply:
			if err == nil {
				continue
			}
		case <-time.After(3 * every):
		}
		c.d.log.Warn("ssh: node stopped answering; closing the connection", "node", c.node)
		_ = c.client.Close()
		return
	}
}

// Run executes c.Line in a new session. A non-zero exit is reported in
// ExitCode with a nil error. When ctx ends, the remote command is sent KILL
// (sshd signals its whole process group), the session is closed and ctx.Err()
// returned with the output captured so far. OpenSSH refuses signals to root
// logins and to ForceCommand sessions; there the command only sees its output
// pipes close (a write fails with EPIPE, poll reports POLLERR).
//
// Output that shows a forced password-change prompt ends the command with
// ErrPasswordChange rather than leaving it waiting for an answer.
func (c *Conn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	start := time.Now()
	var res modules.Result
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cmd.Timeout)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	sess, err := c.client.NewSession()
	if err != nil {
		return res, c.transportErr("open session", err)
	}
	defer sess.Close()
	c.d.sessions.Add(1)
	var stdout, stderr lockedBuffer
	watch := newChangeWatch()
	out := io.Writer(io.MultiWriter(&stdout, watch))
	if cmd.Output != nil {
		out = io.MultiWriter(out, quietWriter{cmd.Output})
	}
	sess.Stdout, sess.Stderr, sess.Stdin = out, io.MultiWriter(&stderr, watch), cmd.Stdin
	if err := sess.Start(cmd.Line); err != nil {
		return res, c.transportErr("start command", err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	finish := func() modules.Result {
		res.Stdout, res.Stderr, res.Duration = stdout.snapshot(), stderr.snapshot(), time.Since(start)
		return res
	}
	select {
	case err = <-done:
	case <-ctx.Done():
		c.kill(sess)
		return finish(), ctx.Err()
	case <-watch.found:
		c.kill(sess)
		return finish(), fmt.Errorf("ssh %s: %w; change it interactively, then retry", c.node, ErrPasswordChange)
	}
	var exit *ssh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitStatus()
	default:
		return finish(), c.transportErr("command", err)
	}
	return finish(), nil
}

// kill stops a running command: KILL reaches the remote process group, then
// the session closes. It does not wait for the session to wind down: OpenSSH
// refuses signals to root sessions and forced commands and then holds the
// channel open until the command ends on its own, and the caller must not
// wait for that. The output buffers are locked, so the copy goroutines may
// finish later.
func (c *Conn) kill(sess *ssh.Session) {
	_ = sess.Signal(ssh.SIGKILL)
	_ = sess.Close()
}

// lockedBuffer collects output written by the session's copy goroutines,
// which may outlive Run after a cancellation.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) snapshot() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// lost reports whether the connection is gone. A failed session usually means
// the peer vanished; a keepalive request settles it without guessing.
func (c *Conn) lost() bool {
	select {
	case <-c.gone:
		return true
	default:
	}
	reply := make(chan error, 1)
	go func() {
		_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
		reply <- err
	}()
	select {
	case err := <-reply:
		return err != nil
	case <-c.gone:
		return true
	case <-time.After(settleLimit):
		return true
	}
}

// transportErr wraps err with ErrConnectionLost when the connection is gone,
// so the engine knows to redial.
func (c *Conn) transportErr(op string, err error) error {
	if c.lost() {
		return fmt.Errorf("ssh %s: %s: %w (%w)", c.node, op, ErrConnectionLost, err)
	}
	return fmt.Errorf("ssh %s: %s: %w", c.node, op, err)
}

// Close ends the SFTP client, the connection and the jump connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.sftp != nil {
		_ = c.sftp.Close()
		c.sftp = nil
	}
	c.mu.Unlock()
	err := c.client.Close()
	if c.jump != nil {
		_ = c.jump.Close()
	}
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
