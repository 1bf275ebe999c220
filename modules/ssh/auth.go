package ssh

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/localpath"
)

// auth is the set of methods offered for one connection, with the names of
// the methods for error messages (never the secrets).
type auth struct {
	methods []ssh.AuthMethod
	names   []string
	close   func()
}

// authFor builds the methods for t. All public keys (the key file first, then
// the agent's) travel in one method: the client tries each method name once,
// so a second "publickey" method would never be attempted.
func (d *Dialer) authFor(t modules.Target, user, host string) (*auth, error) {
	a := &auth{close: func() {}}
	var agentSigners []ssh.Signer
	if sock := d.agentSocket(); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			a.close = func() { conn.Close() }
			if s, err := agent.NewClient(conn).Signers(); err == nil {
				agentSigners = s
			} else {
				d.log.Debug("ssh agent: list keys failed", "err", err)
			}
		} else {
			d.log.Debug("ssh agent unreachable", "socket", sock, "err", err)
		}
	}
	var signers []ssh.Signer
	if t.PrivateKeyFile != "" {
		s, err := d.keyFile(t.PrivateKeyFile, agentSigners)
		if err != nil {
			a.close()
			return nil, err
		}
		if s != nil {
			signers = append(signers, s)
		}
	}
	signers = append(signers, agentSigners...)
	if len(signers) > 0 {
		a.methods = append(a.methods, ssh.PublicKeys(signers...))
		a.names = append(a.names, "publickey")
	}
	password := func() (string, error) { return t.Password, nil }
	if t.Password == "" && d.opts.Prompt != nil {
		password = func() (string, error) {
			return d.prompt(fmt.Sprintf("Password for %s@%s: ", user, host))
		}
	}
	if t.Password != "" || d.opts.Prompt != nil {
		once := &onePassword{get: password}
		a.methods = append(a.methods,
			ssh.PasswordCallback(once.next),
			ssh.KeyboardInteractive(answerWith(once.next)))
		a.names = append(a.names, "password", "keyboard-interactive")
	}
	return a, nil
}

// keyFile loads a private key once per Dialer. An encrypted key is skipped
// when the agent already holds it, else its passphrase comes from the prompt.
func (d *Dialer) keyFile(path string, agentSigners []ssh.Signer) (ssh.Signer, error) {
	path = expandHome(path)
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.keys[path]; ok {
		return s, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ssh: read private key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
	case errors.As(err, &missing):
		if missing.PublicKey != nil && holds(agentSigners, missing.PublicKey) {
			return nil, nil // the agent signs with it; no passphrase needed
		}
		if d.opts.Prompt == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoPassphrase, path)
		}
		pass, perr := d.prompt(fmt.Sprintf("Passphrase for %s: ", path))
		if perr != nil {
			return nil, fmt.Errorf("ssh: passphrase for %s: %w", path, perr)
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(pass))
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("ssh: wrong passphrase for private key %s", path)
		}
		if err != nil {
			return nil, fmt.Errorf("ssh: decrypt private key %s: %w", path, err)
		}
	default:
		// Parse errors describe the format, never the key material.
		return nil, fmt.Errorf("ssh: parse private key %s: %w", path, err)
	}
	d.keys[path] = s
	return s, nil
}

func holds(signers []ssh.Signer, key ssh.PublicKey) bool {
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), key.Marshal()) {
			return true
		}
	}
	return false
}

// errPasswordRejected stops a second attempt with a password the node
// already refused.
var errPasswordRejected = errors.New("ssh: password rejected")

// onePassword hands out the password once per connection: whichever of the
// password and keyboard-interactive methods asks first gets it, and a
// rejected password is never sent again, so a wrong one costs one failed
// attempt, not three, against the node's account lockout.
type onePassword struct {
	get  func() (string, error)
	sent bool
}

func (o *onePassword) next() (string, error) {
	if o.sent {
		return "", errPasswordRejected
	}
	o.sent = true
	return o.get()
}

// answerWith answers keyboard-interactive password prompts with the password.
// A prompt asking for a new password is a forced change: answering it would
// change the account, so it fails with ErrPasswordChange instead.
func answerWith(password func() (string, error)) ssh.KeyboardInteractiveChallenge {
	return func(name, instruction string, questions []string, echos []bool) ([]string, error) {
		if isPasswordChange(name + "\n" + instruction) {
			return nil, ErrPasswordChange
		}
		answers := make([]string, len(questions))
		for i, q := range questions {
			if isPasswordChange(q) {
				return nil, ErrPasswordChange
			}
			if echos[i] || !strings.Contains(strings.ToLower(q), "password") {
				return nil, fmt.Errorf("ssh: unexpected keyboard-interactive prompt %q", q)
			}
			p, err := password()
			if err != nil {
				return nil, err
			}
			answers[i] = p
		}
		return answers, nil
	}
}

// expandHome turns a leading "~" or "~/" into the user's home folder, as
// the evaluator does for every controller path (modules/localpath). A path
// it cannot expand is returned as written, and reading it then fails naming it.
func expandHome(p string) string {
	if e, err := localpath.ExpandHome(p); err == nil {
		return e
	}
	return p
}
