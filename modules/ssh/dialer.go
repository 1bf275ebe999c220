// Package ssh is the transport to the nodes: a modules.Dialer over
// golang.org/x/crypto/ssh that verifies host keys against known_hosts,
// authenticates with the agent, key files, a password or keyboard-interactive,
// reaches nodes through a jump host, and keeps one SSH connection per node for
// every command and SFTP transfer.
package ssh

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules"
)

// DefaultConnectTimeout bounds TCP connect plus SSH handshake when neither the
// target nor the options say otherwise.
const DefaultConnectTimeout = 30 * time.Second

// DefaultKeepAlive is the keepalive interval when Options.KeepAlive is zero.
const DefaultKeepAlive = 15 * time.Second

// Options configure a Dialer. Per-target settings (modules.Target) win over
// these defaults.
type Options struct {
	// KnownHostsFile is used when the target names none; ~/.ssh/known_hosts by default.
	KnownHostsFile string
	// HostKeyCheck is PolicyStrict (default) or PolicyAcceptNew, when the target names none.
	HostKeyCheck string
	// AgentSocket is the ssh-agent socket; $SSH_AUTH_SOCK when empty.
	AgentSocket string
	// NoAgent disables the agent even when SSH_AUTH_SOCK is set.
	NoAgent bool
	// Prompt, when set, asks the operator for a key passphrase or a password.
	// Its answer is never logged nor put in an error.
	Prompt func(prompt string) (string, error)
	// ConnectTimeout bounds connect and handshake when the target has no Timeout.
	ConnectTimeout time.Duration
	// KeepAlive is the interval of keepalive requests on idle and busy
	// connections; a connection that leaves three in a row unanswered is
	// closed, so a node that vanished without a TCP reset (power cut, frozen
	// VM) ends its commands with ErrConnectionLost instead of hanging.
	// DefaultKeepAlive when zero; negative disables.
	KeepAlive time.Duration
	// Logger receives connection events (never secrets); discarded when nil.
	Logger *slog.Logger
}

// Stats counts what a Dialer opened, so tests and the record can show that
// each node got one connection.
type Stats struct {
	Dials       int64 // TCP connections (or tunnelled channels) attempted, bastions included
	Connections int64 // SSH handshakes completed, bastions included
	Sessions    int64 // command sessions opened over those connections
}

// Dialer opens connections to nodes. It is safe for concurrent use.
type Dialer struct {
	opts Options
	log  *slog.Logger

	promptMu sync.Mutex // one question to the operator at a time

	mu   sync.Mutex            // guards keys
	keys map[string]ssh.Signer // private keys loaded once per path
	kh   sync.Mutex            // serialises known_hosts reads and appends

	dials, connections, sessions atomic.Int64
}

var _ modules.Dialer = (*Dialer)(nil)

// NewDialer returns a Dialer with the given defaults.
func NewDialer(opts Options) *Dialer {
	d := &Dialer{opts: opts, log: opts.Logger, keys: map[string]ssh.Signer{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// Stats returns the counters so far.
func (d *Dialer) Stats() Stats {
	return Stats{Dials: d.dials.Load(), Connections: d.connections.Load(), Sessions: d.sessions.Load()}
}

// prompt asks the operator, one question at a time across parallel dials.
func (d *Dialer) prompt(msg string) (string, error) {
	d.promptMu.Lock()
	defer d.promptMu.Unlock()
	return d.opts.Prompt(msg)
}

func (d *Dialer) agentSocket() string {
	if d.opts.NoAgent {
		return ""
	}
	if d.opts.AgentSocket != "" {
		return d.opts.AgentSocket
	}
	return os.Getenv("SSH_AUTH_SOCK")
}

// Dial connects to t (through t.Jump when set) and returns a *Conn.
func (d *Dialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	c, err := d.DialConn(ctx, t)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DialConn is Dial with the concrete type.
func (d *Dialer) DialConn(ctx context.Context, t modules.Target) (*Conn, error) {
	if t.Host == "" {
		return nil, fmt.Errorf("ssh: node %q has no host", t.Node)
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = d.opts.ConnectTimeout
	}
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hk, err := d.hostKeys(t)
	if err != nil {
		return nil, err
	}
	user := t.User
	if user == "" {
		user = currentUser()
	}
	port := t.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(t.Host, strconv.Itoa(port))
	var jump *ssh.Client
	if t.Jump != "" {
		jumpUser, jumpAddr, err := parseJump(t.Jump, user)
		if err != nil {
			return nil, err
		}
		// The bastion gets keys, the agent and the prompt, never the node's
		// password: a secret goes only to the host it belongs to.
		bt := t
		bt.Password = ""
		if jump, err = d.connect(ctx, nil, jumpAddr, jumpUser, bt, hk); err != nil {
			return nil, fmt.Errorf("ssh: jump host %s: %w", jumpAddr, err)
		}
	}
	client, err := d.connect(ctx, jump, addr, user, t, hk)
	if err != nil {
		if jump != nil {
			jump.Close()
		}
		return nil, err
	}
	d.log.Debug("ssh connected", "node", t.Node, "addr", addr, "jump", t.Jump != "")
	return newConn(d, t.Node, client, jump), nil
}

func (d *Dialer) hostKeys(t modules.Target) (*hostKeys, error) {
	file := t.KnownHostsFile
	if file == "" {
		file = d.opts.KnownHostsFile
	}
	if file == "" {
		file = "~/.ssh/known_hosts"
	}
	policy := t.HostKeyCheck
	if policy == "" {
		policy = d.opts.HostKeyCheck
	}
	switch policy {
	case "":
		policy = PolicyStrict
	case PolicyStrict, PolicyAcceptNew:
	default:
		return nil, fmt.Errorf("ssh: node %q: host key check %q is not %q or %q", t.Node, policy, PolicyStrict, PolicyAcceptNew)
	}
	return &hostKeys{file: expandHome(file), policy: policy, mu: &d.kh,
		onNew: func(host, fp string) {
			d.log.Info("ssh: trusted new host key", "node", t.Node, "host", host, "fingerprint", fp, "file", file)
		}}, nil
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}
