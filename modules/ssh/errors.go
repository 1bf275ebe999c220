package ssh

import (
	"errors"
	"fmt"
	"strings"
)

// ErrConnectionLost is wrapped by every error caused by the TCP connection
// dropping (a node rebooting, a cable pulled). The engine tests for it with
// errors.Is and redials.
var ErrConnectionLost = errors.New("ssh: connection lost")

// ErrPasswordChange reports that the node demands a password change before
// anything else runs (the CLI account's password aged out). It is never
// answered automatically: an operator must change the password.
var ErrPasswordChange = errors.New("ssh: the node requires a password change")

// ErrNoPassphrase reports an encrypted private key with neither an agent
// holding it nor a prompt to ask for its passphrase.
var ErrNoPassphrase = errors.New("ssh: private key is encrypted and no passphrase source is available")

// HostKeyProblem classifies a host key refusal.
type HostKeyProblem string

// Host key problems.
const (
	HostKeyUnknown HostKeyProblem = "unknown" // the host is not in known_hosts
	HostKeyChanged HostKeyProblem = "changed" // the host is known with other keys
	HostKeyRevoked HostKeyProblem = "revoked" // the key is marked @revoked
)

// HostKeyError is a refused host key. It names everything an operator needs to
// judge the refusal: the host as written in known_hosts, the file, the
// fingerprint the server offered and those the file holds.
type HostKeyError struct {
	Problem HostKeyProblem
	Host    string   // e.g. "[127.0.0.1]:2222" or "sm1.example.net"
	File    string   // the known_hosts file consulted
	Got     string   // SHA256:… fingerprint the server offered
	Want    []string // SHA256:… fingerprints known for the host (changed)
	Lines   []int    // their lines in File
}

func (e *HostKeyError) Error() string {
	switch e.Problem {
	case HostKeyChanged:
		known := make([]string, len(e.Want))
		for i, fp := range e.Want {
			known[i] = fp
			if i < len(e.Lines) {
				known[i] = fmt.Sprintf("%s:%d has %s", e.File, e.Lines[i], fp)
			}
		}
		return fmt.Sprintf("ssh: host key for %s has CHANGED: server offered %s, but %s; "+
			"this may be a man-in-the-middle attack; if the change is expected, remove the old entry from %s",
			e.Host, e.Got, strings.Join(known, ", "), e.File)
	case HostKeyRevoked:
		return fmt.Sprintf("ssh: host key %s for %s is revoked in %s", e.Got, e.Host, e.File)
	default:
		return fmt.Sprintf("ssh: host %s is not in %s (server offered %s); "+
			"add its key, or use host_key_check = \"accept-new\" to trust it on first use",
			e.Host, e.File, e.Got)
	}
}

// AuthError reports that no authentication method was accepted. It lists the
// methods tried, never the secrets behind them.
type AuthError struct {
	User    string
	Host    string
	Methods []string
	Err     error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("ssh: %s@%s: authentication failed (tried %s): %v",
		e.User, e.Host, strings.Join(e.Methods, ", "), e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// Permanent reports whether redialling cannot cure err: a refused host key,
// failed authentication, a demanded password change or a locked key. The
// engine redials with backoff after a reboot only while this is false.
func Permanent(err error) bool {
	var hke *HostKeyError
	var ae *AuthError
	return errors.As(err, &hke) || errors.As(err, &ae) ||
		errors.Is(err, ErrPasswordChange) || errors.Is(err, ErrNoPassphrase)
}
