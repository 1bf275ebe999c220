package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules"
)

// parseJump reads "user@host:port" (user and port optional).
func parseJump(s, defUser string) (user, addr string, err error) {
	user = defUser
	if i := strings.LastIndex(s, "@"); i >= 0 {
		user, s = s[:i], s[i+1:]
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, "22"
	}
	if host == "" || user == "" {
		return "", "", fmt.Errorf("ssh: jump host %q is not user@host:port", s)
	}
	return user, net.JoinHostPort(host, port), nil
}

// connect opens one SSH connection to addr, directly or through via.
func (d *Dialer) connect(ctx context.Context, via *ssh.Client, addr, user string, t modules.Target, hk *hostKeys) (*ssh.Client, error) {
	d.dials.Add(1)
	var nc net.Conn
	var err error
	if via == nil {
		nc, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	} else {
		nc, err = via.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ssh: connect %s: %w", addr, ctx.Err())
		}
		return nil, fmt.Errorf("ssh: connect %s: %w", addr, err)
	}
	a, err := d.authFor(t, user, addr)
	if err != nil {
		nc.Close()
		return nil, err
	}
	defer a.close()
	cfg := &ssh.ClientConfig{
		User:              user,
		Auth:              a.methods,
		HostKeyCallback:   hk.check,
		HostKeyAlgorithms: hk.algorithms(addr),
	}
	// The handshake has no context of its own: closing the socket ends it.
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	if err != nil {
		nc.Close()
		return nil, handshakeError(ctx, err, user, addr, a.names)
	}
	d.connections.Add(1)
	return ssh.NewClient(sc, chans, reqs), nil
}

// handshakeError keeps typed errors reachable with errors.As/Is and turns an
// authentication failure into an *AuthError.
func handshakeError(ctx context.Context, err error, user, addr string, methods []string) error {
	var hke *HostKeyError
	switch {
	case errors.As(err, &hke):
		return hke // its message is complete; the handshake prefix adds nothing
	case errors.Is(err, ErrPasswordChange):
		return fmt.Errorf("ssh: %s@%s: %w; change it interactively, then retry", user, addr, ErrPasswordChange)
	case ctx.Err() != nil:
		return fmt.Errorf("ssh: handshake with %s: %w", addr, ctx.Err())
	case errors.Is(err, errPasswordRejected), strings.Contains(err.Error(), "unable to authenticate"):
		if len(methods) == 0 {
			methods = []string{"none (no key, agent or password configured)"}
		}
		return &AuthError{User: user, Host: addr, Methods: methods, Err: err}
	}
	return fmt.Errorf("ssh: handshake with %s: %w", addr, err)
}
