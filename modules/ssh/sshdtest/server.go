// Package sshdtest starts Debian's OpenSSH server for tests, in the manner of
// golang.org/x/crypto/ssh/test: a config, a host key and authorized_keys written
// into t.TempDir(), the daemon bound to a free 127.0.0.1 port and stopped in
// t.Cleanup. Testing against the real daemon keeps the transport honest about
// what OpenSSH does (signals, subsystems, ForceCommand) rather than what an
// in-process server chooses to do.
//
// sshd only checks passwords against system accounts, so password and
// keyboard-interactive authentication are not offered here; test them against
// an in-process golang.org/x/crypto/ssh server instead. No system account or
// password is ever touched.
//
// Under ForceCommand, sshd runs the forced command for every session, exec and
// subsystem alike, with SSH_ORIGINAL_COMMAND set to what the client asked for:
// the command line for an exec request, and the Subsystem command (Options.Subsystem,
// "internal-sftp" by default) for a subsystem request. A ForceCommand program
// that must serve SFTP therefore serves it when SSH_ORIGINAL_COMMAND equals
// Server.SubsystemCommand.
//
// sshd refuses to deliver signals ("signal" channel requests) to forced
// commands and to root logins. When a client cancels such a session, the
// command only sees its stdout/stderr pipes close: a write fails with EPIPE,
// and poll(2) on fd 1 reports POLLERR at once, which a long-running forced
// command can watch to stop itself.
//
// Sessions run with HOME set to Server.Home (a clean folder) and in the
// login account's home as working folder (sshd chdirs there). When run as
// root and /run/sshd is missing, Start creates it (0755), as Debian's service
// unit does; sshd refuses to start as root without it.
package sshdtest

import (
	"crypto/ed25519"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules"
)

// DefaultBinary is where Debian installs the OpenSSH daemon.
const DefaultBinary = "/usr/sbin/sshd"

// Options shapes one daemon. The zero value starts a daemon that accepts the
// generated client key, serves SFTP with internal-sftp and forbids forwarding.
type Options struct {
	// AuthorizedKeys are trusted in addition to the generated client key.
	AuthorizedKeys []ssh.PublicKey
	// ForceCommand, when set, replaces every session's command (see package doc).
	ForceCommand string
	// Subsystem is the command behind the "sftp" subsystem; "internal-sftp" by default.
	Subsystem string
	// Env is set in every session with SetEnv. HOME defaults to Server.Home, a
	// clean temporary folder, so the machine's login files never run.
	Env map[string]string
	// AllowTCPForwarding lets clients open direct-tcpip channels (a bastion).
	AllowTCPForwarding bool
	// Config holds extra sshd_config lines. They come first in the file, and
	// sshd keeps the first value of a keyword, so they override the defaults.
	Config []string
	// Binary is the daemon to run; DefaultBinary when empty.
	Binary string
}

// Server is one running daemon and everything a client needs to reach it.
type Server struct {
	Addr string // "127.0.0.1:port"
	Host string // "127.0.0.1"
	Port int
	// User is the account sessions log in as: the user running the tests.
	User string
	// Dir holds the config, keys and known_hosts; Home is the sessions' HOME.
	Dir, Home string
	// HostKey is the daemon's public host key.
	HostKey ssh.PublicKey
	// ClientKey/ClientSigner are the generated client identity, also written
	// unencrypted to ClientKeyFile (0600) and trusted by authorized_keys.
	ClientKey     ed25519.PrivateKey
	ClientSigner  ssh.Signer
	ClientKeyFile string
	// KnownHostsFile trusts HostKey for Addr (and nothing else).
	KnownHostsFile string
	// SubsystemCommand is what SSH_ORIGINAL_COMMAND holds for an sftp
	// subsystem request under ForceCommand.
	SubsystemCommand string

	log      *logBuffer
	cmd      *exec.Cmd
	exited   chan struct{}
	stopOnce sync.Once
}

// KnownHostsLine returns the known_hosts line trusting this daemon.
func (s *Server) KnownHostsLine() string { return KnownHostsLine(s.Addr, s.HostKey) }

// Log returns everything the daemon wrote to stderr so far.
func (s *Server) Log() string { return s.log.String() }

// Accepted counts the connections the daemon authenticated ("Accepted …"
// lines), which tells a test how many SSH connections a client really opened.
func (s *Server) Accepted() int { return s.log.count("Accepted ") }

// Target returns a strict-checking target for node that reaches this daemon
// with the generated client key.
func (s *Server) Target(node string) modules.Target {
	return modules.Target{
		Node: node, Host: s.Host, Port: s.Port, User: s.User,
		PrivateKeyFile: s.ClientKeyFile, KnownHostsFile: s.KnownHostsFile,
		HostKeyCheck: "strict",
	}
}

// Start runs sshd for the test and stops it in t.Cleanup. Without the daemon
// it skips, unless the CI environment variable is set: CI must never skip.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := opts.Binary
	if bin == "" {
		bin = DefaultBinary
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sshdtest: %s is required in CI (install openssh-server): %v", bin, err)
		}
		t.Skipf("sshdtest: %s not installed (apt-get install openssh-server); skipping", bin)
	}
	ensurePrivsepDir(t)

	dir := t.TempDir()
	s := &Server{Host: "127.0.0.1", Dir: dir, Home: filepath.Join(dir, "home")}
	if err := os.Mkdir(s.Home, 0o700); err != nil {
		t.Fatalf("sshdtest: %v", err)
	}
	if u, err := user.Current(); err == nil {
		s.User = u.Username
	} else {
		t.Fatalf("sshdtest: current user: %v", err)
	}
	s.SubsystemCommand = opts.Subsystem
	if s.SubsystemCommand == "" {
		s.SubsystemCommand = "internal-sftp"
	}
	hostKey, hostSigner := NewKey(t)
	s.HostKey = hostSigner.PublicKey()
	WritePrivateKey(t, filepath.Join(dir, "ssh_host_ed25519_key"), hostKey, "")
	s.ClientKey, s.ClientSigner = NewKey(t)
	s.ClientKeyFile = filepath.Join(dir, "client_ed25519")
	WritePrivateKey(t, s.ClientKeyFile, s.ClientKey, "")
	s.writeAuthorizedKeys(t, opts.AuthorizedKeys)

	s.launch(t, bin, opts)
	s.KnownHostsFile = filepath.Join(dir, "known_hosts")
	WriteKnownHosts(t, s.KnownHostsFile, s.KnownHostsLine())
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("sshd %s log:\n%s", s.Addr, s.Log())
		}
	})
	return s
}

func (s *Server) writeAuthorizedKeys(t testing.TB, extra []ssh.PublicKey) {
	t.Helper()
	b := ssh.MarshalAuthorizedKey(s.ClientSigner.PublicKey())
	for _, k := range extra {
		b = append(b, ssh.MarshalAuthorizedKey(k)...)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "authorized_keys"), b, 0o600); err != nil {
		t.Fatalf("sshdtest: write authorized_keys: %v", err)
	}
}

// ensurePrivsepDir creates sshd's privilege separation folder (/run/sshd on
// Debian) when running as root and it is missing, as the distribution's
// service unit does at boot. sshd refuses to start as root without it.
func ensurePrivsepDir(t testing.TB) {
	const dir = "/run/sshd"
	if os.Geteuid() != 0 {
		return
	}
	if _, err := os.Stat(dir); err == nil {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("sshdtest: create %s: %v", dir, err)
	}
	t.Logf("sshdtest: created sshd privilege separation folder %s", dir)
}

func itoa(n int) string { return strconv.Itoa(n) }
