package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// ErrConnectionLost is the transport error LocalConn returns once the node
// dropped the connection (reboot or disconnect fault) and for every use after.
var ErrConnectionLost = errors.New("connection lost: node closed the connection")

// LocalConn is a modules.Conn straight against a state directory, with no
// SSH: for fast tests of modules and the engine. Commands run through Exec;
// Upload/Download copy between the controller and the fake root.
type LocalConn struct {
	Dir string
	Env Env

	mu       sync.Mutex
	lost     bool
	commands []string
}

// NewLocalConn opens a LocalConn on the node in dir.
func NewLocalConn(dir string, env Env) (*LocalConn, error) {
	if _, err := Load(dir); err != nil {
		return nil, err
	}
	return &LocalConn{Dir: dir, Env: env}, nil
}

// Commands returns every command line run so far, in order.
func (c *LocalConn) Commands() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.commands...)
}

// Lost reports whether the node dropped this connection.
func (c *LocalConn) Lost() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

func (c *LocalConn) alive() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost {
		return ErrConnectionLost
	}
	return nil
}

// Run executes one command through Exec. A command that drops the
// connection returns ErrConnectionLost, as a broken SSH session would.
func (c *LocalConn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	if err := c.alive(); err != nil {
		return modules.Result{}, err
	}
	c.mu.Lock()
	c.commands = append(c.commands, cmd.Line)
	c.mu.Unlock()
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cmd.Timeout)
		defer cancel()
	}
	var out, errb bytes.Buffer
	var w io.Writer = &out
	if cmd.Output != nil {
		w = io.MultiWriter(&out, cmd.Output)
	}
	env := c.Env
	dropped := false
	env.Reboot = func() {
		dropped = true
		if c.Env.Reboot != nil {
			c.Env.Reboot()
		}
	}
	start := time.Now()
	code := Exec(ctx, c.Dir, cmd.Line, cmd.Stdin, w, &errb, env)
	res := modules.Result{Stdout: out.Bytes(), Stderr: errb.Bytes(), ExitCode: code, Duration: time.Since(start),
		NotExecuted: IsNotExecuted(code, errb.Bytes())}
	if dropped {
		c.mu.Lock()
		c.lost = true
		c.mu.Unlock()
		return res, ErrConnectionLost
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// Upload copies a local file into the node's fake root.
func (c *LocalConn) Upload(ctx context.Context, local, remote string) (string, error) {
	if err := c.alive(); err != nil {
		return "", err
	}
	n := &node{dir: c.Dir}
	return copyFile(local, n.path(remote), 0o644)
}

// Download copies a file out of the node's fake root.
func (c *LocalConn) Download(ctx context.Context, remote, local string) (string, error) {
	if err := c.alive(); err != nil {
		return "", err
	}
	n := &node{dir: c.Dir}
	return copyFile(n.path(remote), local, 0o600)
}

// Close marks the connection closed.
func (c *LocalConn) Close() error {
	c.mu.Lock()
	c.lost = true
	c.mu.Unlock()
	return nil
}

// copyFile copies src to dst and checks both ends' sha256.
func copyFile(src, dst string, mode os.FileMode) (string, error) {
	want, err := FileSHA256(src)
	if err != nil {
		return "", err
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	got, err := FileSHA256(dst)
	if err != nil {
		return "", err
	}
	if got != want {
		return "", fmt.Errorf("copy %s: checksum mismatch (%s != %s)", filepath.Base(src), got, want)
	}
	return got, nil
}

// LocalDialer dials LocalConns by node name, for engine tests: a new Dial
// after a reboot gives a fresh connection, as a redial over SSH would.
type LocalDialer struct {
	Dirs map[string]string // node name -> state directory
	Env  Env
}

// Dial opens a LocalConn on the target's node.
func (d LocalDialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	dir, ok := d.Dirs[t.Node]
	if !ok {
		return nil, fmt.Errorf("no simulated node %q", t.Node)
	}
	return NewLocalConn(dir, d.Env)
}
