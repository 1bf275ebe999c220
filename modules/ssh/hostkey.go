package ssh

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Host key check policies (modules.Target.HostKeyCheck).
const (
	PolicyStrict    = "strict"     // refuse unknown and changed keys
	PolicyAcceptNew = "accept-new" // trust an unknown key on first use; refuse a changed one
)

// hostKeys verifies host keys against one known_hosts file. The file is read
// at each check, so a key appended by one dial is seen by the next.
type hostKeys struct {
	file   string
	policy string
	mu     *sync.Mutex // serialises appends to the file across dials
	onNew  func(host, fingerprint string)
}

// load returns the file's checker; a missing file knows no host.
func (h *hostKeys) load() (ssh.HostKeyCallback, error) {
	if _, err := os.Stat(h.file); errors.Is(err, os.ErrNotExist) {
		return func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }, nil
	}
	cb, err := knownhosts.New(h.file)
	if err != nil {
		return nil, fmt.Errorf("ssh: read known_hosts %s: %w", h.file, err)
	}
	return cb, nil
}

// check is the ssh.HostKeyCallback. addr is the "host:port" dialled.
func (h *hostKeys) check(addr string, remote net.Addr, key ssh.PublicKey) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	cb, err := h.load()
	if err != nil {
		return err
	}
	err = cb(addr, remote, key)
	if err == nil {
		return nil
	}
	host := knownhosts.Normalize(addr)
	got := ssh.FingerprintSHA256(key)
	var revoked *knownhosts.RevokedError
	if errors.As(err, &revoked) {
		return &HostKeyError{Problem: HostKeyRevoked, Host: host, File: h.file, Got: got}
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return fmt.Errorf("ssh: check host key of %s: %w", host, err)
	}
	if len(ke.Want) > 0 {
		e := &HostKeyError{Problem: HostKeyChanged, Host: host, File: h.file, Got: got}
		for _, k := range ke.Want {
			e.Want = append(e.Want, ssh.FingerprintSHA256(k.Key))
			e.Lines = append(e.Lines, k.Line)
		}
		return e
	}
	if h.policy != PolicyAcceptNew {
		return &HostKeyError{Problem: HostKeyUnknown, Host: host, File: h.file, Got: got}
	}
	if err := h.appendKey(addr, key); err != nil {
		return err
	}
	if h.onNew != nil {
		h.onNew(host, got)
	}
	return nil
}

// appendKey adds a line for addr, creating the file 0600 (and its folder
// 0700) when missing, and starting on a new line if the file lacks a final one.
func (h *hostKeys) appendKey(addr string, key ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return fmt.Errorf("ssh: create folder for %s: %w", h.file, err)
	}
	f, err := os.OpenFile(h.file, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("ssh: open known_hosts %s: %w", h.file, err)
	}
	defer f.Close()
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = "\n" + line
		} else if err != nil && err != io.EOF {
			return fmt.Errorf("ssh: read known_hosts %s: %w", h.file, err)
		}
	}
	if _, err := f.WriteString(line); err != nil {
		return fmt.Errorf("ssh: append to known_hosts %s: %w", h.file, err)
	}
	return f.Sync()
}

// algorithms returns the host key algorithms to negotiate with addr: those of
// the keys known_hosts holds for it, so a server that also has keys of other
// types is not mistaken for a changed one. Nil (library defaults) for an
// unknown host.
func (h *hostKeys) algorithms(addr string) []string {
	h.mu.Lock()
	cb, err := h.load()
	h.mu.Unlock()
	if err != nil {
		return nil
	}
	// A probe key no file holds makes the checker list the known keys.
	probe, _ := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	var ke *knownhosts.KeyError
	if !errors.As(cb(addr, &net.TCPAddr{IP: net.IPv4zero}, probe), &ke) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range ke.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor maps a key type to the signature algorithms that prove it.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}
