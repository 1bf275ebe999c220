package lab

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"

	"golang.org/x/crypto/ssh"
)

// clientKey is the key every lab node accepts.
type clientKey struct {
	file string
	pub  ssh.PublicKey
}

// newClientKey generates an ed25519 key and writes it, unencrypted, in the
// OpenSSH format to file (0600). It is a throwaway key of a throwaway lab,
// so it carries no passphrase: the rehearsal must not prompt.
func newClientKey(file string) (*clientKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	blk, err := ssh.MarshalPrivateKey(priv, "runbook lab client")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(blk), 0o600); err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return &clientKey{file: file, pub: sp}, nil
}

// newHostKey generates a node's ed25519 host key. Each node has its own, so
// that known_hosts verification in the lab is as specific as in production.
func newHostKey() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}
