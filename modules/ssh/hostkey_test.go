package ssh

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

func TestChangedHostKeyRefusedNamingHostFileAndFingerprints(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	_, impostor := sshdtest.NewKey(t)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	sshdtest.WriteKnownHosts(t, kh, sshdtest.KnownHostsLine(s.Addr, impostor.PublicKey()))
	tg := s.Target("sm1")
	tg.KnownHostsFile = kh
	for _, policy := range []string{PolicyStrict, PolicyAcceptNew} {
		tg.HostKeyCheck = policy
		d := testDialer(Options{})
		_, err := d.Dial(context.Background(), tg)
		var hke *HostKeyError
		if !errors.As(err, &hke) || hke.Problem != HostKeyChanged {
			t.Fatalf("%s: err = %v, want a changed *HostKeyError", policy, err)
		}
		msg := err.Error()
		for _, want := range []string{"[127.0.0.1]:" + itoa(s.Port), kh,
			ssh.FingerprintSHA256(s.HostKey), ssh.FingerprintSHA256(impostor.PublicKey())} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: message %q lacks %q", policy, msg, want)
			}
		}
		if d.Stats().Connections != 0 {
			t.Errorf("%s: a connection was established despite the refusal", policy)
		}
	}
	if got, _ := os.ReadFile(kh); strings.Count(string(got), "\n") != 1 {
		t.Fatalf("known_hosts changed after refusals:\n%s", got)
	}
}

func TestStrictRefusesUnknownHost(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	tg := s.Target("sm1")
	tg.KnownHostsFile = filepath.Join(t.TempDir(), "missing", "known_hosts")
	_, err := testDialer(Options{}).Dial(context.Background(), tg)
	var hke *HostKeyError
	if !errors.As(err, &hke) || hke.Problem != HostKeyUnknown || hke.Got != ssh.FingerprintSHA256(s.HostKey) {
		t.Fatalf("err = %v, want an unknown *HostKeyError with the server's fingerprint", err)
	}
	if _, err := os.Stat(tg.KnownHostsFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("strict checking created %s", tg.KnownHostsFile)
	}
}

func TestAcceptNewAppendsThenRefusesChange(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	dir := filepath.Join(t.TempDir(), "ssh")
	kh := filepath.Join(dir, "known_hosts")
	tg := s.Target("sm1")
	tg.KnownHostsFile, tg.HostKeyCheck = kh, PolicyAcceptNew

	c := mustDial(t, testDialer(Options{}), tg)
	mustRun(t, c, "true")
	got, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != s.KnownHostsLine()+"\n" {
		t.Fatalf("known_hosts = %q, want %q", got, s.KnownHostsLine()+"\n")
	}
	if st, _ := os.Stat(kh); st.Mode().Perm() != 0o600 {
		t.Fatalf("known_hosts mode %v, want 0600", st.Mode().Perm())
	}
	// Now trusted: strict checking accepts it.
	tg.HostKeyCheck = PolicyStrict
	mustDial(t, testDialer(Options{}), tg)

	// The same address with another host key (a rebuilt or spoofed node).
	other := sshdtest.Start(t, sshdtest.Options{})
	s.Stop()
	lines := strings.Replace(string(got), itoa(s.Port), itoa(other.Port), 1)
	if err := os.WriteFile(kh, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	tg.Port, tg.HostKeyCheck = other.Port, PolicyAcceptNew
	_, err = testDialer(Options{}).Dial(context.Background(), tg)
	var hke *HostKeyError
	if !errors.As(err, &hke) || hke.Problem != HostKeyChanged {
		t.Fatalf("accept-new with a changed key: err = %v, want a changed *HostKeyError", err)
	}
	if after, _ := os.ReadFile(kh); string(after) != lines {
		t.Fatalf("accept-new appended a changed key:\n%s", after)
	}
}

func TestAcceptNewStartsOnNewLine(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	kh := filepath.Join(t.TempDir(), "known_hosts")
	_, k := sshdtest.NewKey(t)
	first := sshdtest.KnownHostsLine("other.example.net:22", k.PublicKey())
	if err := os.WriteFile(kh, []byte(first), 0o600); err != nil { // no final newline
		t.Fatal(err)
	}
	tg := s.Target("sm1")
	tg.KnownHostsFile, tg.HostKeyCheck = kh, PolicyAcceptNew
	mustDial(t, testDialer(Options{}), tg)
	got, _ := os.ReadFile(kh)
	if want := first + "\n" + s.KnownHostsLine() + "\n"; string(got) != want {
		t.Fatalf("known_hosts = %q, want %q", got, want)
	}
}

// A server with several host keys is checked with the algorithm known_hosts
// holds for it, not the library's first preference (ECDSA before Ed25519).
func TestNegotiatesTheKnownHostKeyAlgorithm(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(ecKey, "")
	if err != nil {
		t.Fatal(err)
	}
	ecFile := filepath.Join(t.TempDir(), "ssh_host_ecdsa_key")
	if err := os.WriteFile(ecFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s := sshdtest.Start(t, sshdtest.Options{Config: []string{"HostKey " + ecFile}})
	// s.KnownHostsFile holds only the Ed25519 key.
	mustRun(t, mustDial(t, testDialer(Options{}), s.Target("sm1")), "true")
}
