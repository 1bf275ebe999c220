package ssh

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

func TestKeyFileAuth(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	c := mustDial(t, testDialer(Options{}), s.Target("sm1"))
	if got := string(mustRun(t, c, "id -un").Stdout); strings.TrimSpace(got) != s.User {
		t.Fatalf("logged in as %q, want %q", got, s.User)
	}
}

func TestUntrustedKeyIsAnAuthError(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	key, _ := sshdtest.NewKey(t)
	tg := s.Target("sm1")
	tg.PrivateKeyFile = filepath.Join(t.TempDir(), "id")
	sshdtest.WritePrivateKey(t, tg.PrivateKeyFile, key, "")
	_, err := testDialer(Options{}).Dial(context.Background(), tg)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Methods[0] != "publickey" {
		t.Fatalf("err = %v, want *AuthError naming publickey", err)
	}
}

// startAgent serves an in-memory ssh-agent holding keys on a unix socket.
func startAgent(t *testing.T, keys ...any) string {
	t.Helper()
	keyring := agent.NewKeyring()
	for _, k := range keys {
		if err := keyring.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _ = agent.ServeAgent(keyring, c) }()
		}
	}()
	return sock
}

func TestAgentAuth(t *testing.T) {
	key, signer := sshdtest.NewKey(t)
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}})
	tg := s.Target("sm1")
	tg.PrivateKeyFile = "" // only the agent's key can authenticate
	d := NewDialer(Options{AgentSocket: startAgent(t, key)})
	mustRun(t, mustDial(t, d, tg), "true")

	// Without the agent the same target cannot log in: the agent did it.
	if _, err := testDialer(Options{}).Dial(context.Background(), tg); err == nil {
		t.Fatal("dial without agent or key succeeded")
	}
}

func TestEncryptedKeyWithPromptedPassphrase(t *testing.T) {
	const passphrase = "correct horse battery"
	key, signer := sshdtest.NewKey(t)
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}})
	tg := s.Target("sm1")
	home := t.TempDir()
	t.Setenv("HOME", home)
	sshdtest.WritePrivateKey(t, filepath.Join(home, "id_enc"), key, passphrase)
	tg.PrivateKeyFile = "~/id_enc"

	var prompts []string
	answer := passphrase
	d := testDialer(Options{Prompt: func(p string) (string, error) {
		prompts = append(prompts, p)
		return answer, nil
	}})
	mustRun(t, mustDial(t, d, tg), "true")
	mustDial(t, d, tg) // the decrypted key is kept: no second prompt
	if len(prompts) != 1 || !strings.Contains(prompts[0], filepath.Join(home, "id_enc")) {
		t.Fatalf("prompts = %q, want one naming the key file", prompts)
	}

	answer = "wrong " + passphrase
	_, err := testDialer(Options{Prompt: func(string) (string, error) { return answer, nil }}).Dial(context.Background(), tg)
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: err = %v", err)
	}
	assertNoSecret(t, err, answer)

	_, err = testDialer(Options{}).Dial(context.Background(), tg)
	if !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("no prompt: err = %v, want ErrNoPassphrase", err)
	}
}

func TestEncryptedKeyHeldByAgentNeedsNoPassphrase(t *testing.T) {
	key, signer := sshdtest.NewKey(t)
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}})
	tg := s.Target("sm1")
	tg.PrivateKeyFile = filepath.Join(t.TempDir(), "id_enc")
	sshdtest.WritePrivateKey(t, tg.PrivateKeyFile, key, "secret passphrase")
	d := NewDialer(Options{AgentSocket: startAgent(t, key), Prompt: func(string) (string, error) {
		t.Fatal("prompted although the agent holds the key")
		return "", nil
	}})
	mustRun(t, mustDial(t, d, tg), "true")
}

func TestPasswordAuth(t *testing.T) {
	const password = "s3cret-pw"
	srv := startInproc(t, inprocOptions{password: password})
	c := mustDial(t, testDialer(Options{}), srv.target(t, password))
	if got := string(mustRun(t, c, "echo ok").Stdout); got != "ok\n" {
		t.Fatalf("stdout %q", got)
	}
	_, err := testDialer(Options{}).Dial(context.Background(), srv.target(t, "wrong-"+password))
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("wrong password: err = %v, want *AuthError", err)
	}
	assertNoSecret(t, err, password)
}

func TestPasswordFromPrompt(t *testing.T) {
	const password = "prompted-pw"
	srv := startInproc(t, inprocOptions{password: password})
	var asked string
	d := testDialer(Options{Prompt: func(p string) (string, error) { asked = p; return password, nil }})
	mustRun(t, mustDial(t, d, srv.target(t, "")), "true")
	if !strings.Contains(asked, "operator@") {
		t.Fatalf("prompt %q does not name the account", asked)
	}
}

func TestKeyboardInteractiveAnswersWithPassword(t *testing.T) {
	const password = "kbd-pw"
	srv := startInproc(t, inprocOptions{password: password, noPassword: true,
		kbdQuestions: []string{"Password: "}})
	mustRun(t, mustDial(t, testDialer(Options{}), srv.target(t, password)), "true")
}

func TestKeyboardInteractivePasswordChangeFailsClearly(t *testing.T) {
	const password = "aged-pw"
	srv := startInproc(t, inprocOptions{password: password, noPassword: true,
		kbdQuestions: []string{"You are required to change your password immediately (administrator enforced)\nCurrent password: "}})
	_, err := testDialer(Options{}).Dial(context.Background(), srv.target(t, password))
	if !errors.Is(err, ErrPasswordChange) {
		t.Fatalf("err = %v, want ErrPasswordChange", err)
	}
	assertNoSecret(t, err, password)
}

// A wrong password is sent once, whatever methods the server offers, so it
// counts as one failure against the account's lockout.
func TestWrongPasswordIsSentOnce(t *testing.T) {
	srv := startInproc(t, inprocOptions{password: "right", kbdQuestions: []string{"Password: "}})
	_, err := testDialer(Options{}).Dial(context.Background(), srv.target(t, "wrong"))
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *AuthError", err)
	}
	if n := srv.passwordTries.Load(); n != 1 {
		t.Fatalf("the server received the password %d times, want 1", n)
	}
}
