package sshdtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// NewKey generates an ed25519 key pair in memory. Tests use it for client
// identities and host keys alike, so no test depends on keys of the machine.
func NewKey(t testing.TB) (ed25519.PrivateKey, ssh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("sshdtest: generate key: %v", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatalf("sshdtest: signer: %v", err)
	}
	return priv, signer
}

// WritePrivateKey writes key to path in OpenSSH format, mode 0600. A non-empty
// passphrase encrypts it, the way `ssh-keygen -N` would.
func WritePrivateKey(t testing.TB, path string, key ed25519.PrivateKey, passphrase string) {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(key, "runbook-test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(key, "runbook-test", []byte(passphrase))
	}
	if err != nil {
		t.Fatalf("sshdtest: marshal private key: %v", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatalf("sshdtest: write private key: %v", err)
	}
}

// KnownHostsLine returns the known_hosts line that trusts key for addr
// ("host:port"), in the form OpenSSH writes ("[127.0.0.1]:2222 ssh-ed25519 …").
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)
}

// WriteKnownHosts writes the given lines to path (mode 0600), replacing it.
func WriteKnownHosts(t testing.TB, path string, lines ...string) {
	t.Helper()
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("sshdtest: write known_hosts: %v", err)
	}
}
