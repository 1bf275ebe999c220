package lab

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
)

// labUser is the login name of a node whose connection block names none.
const labUser = "cust"

// server is one node's SSH server.
type server struct {
	lab     *Lab
	node    string
	kind    string
	dir     string
	addr    string
	user    string
	hostKey ssh.Signer
	ln      net.Listener
	cfg     *ssh.ServerConfig
	scale   float64

	mu    sync.Mutex
	conns map[net.Conn]struct{} // nil once the lab is closing
}

// newServer listens on 127.0.0.1:0 for one node. It accepts the lab client
// key and, when the node's connection block has a password, that password,
// so a manifest configured for password logins rehearses unchanged.
func newServer(l *Lab, n *eval.Node, dir string, client ssh.PublicKey, conn *eval.Connection, scale float64) (*server, error) {
	hk, err := newHostKey()
	if err != nil {
		return nil, err
	}
	s := &server{lab: l, node: n.Name, kind: string(n.Kind), dir: dir, user: labUser, hostKey: hk,
		scale: scale, conns: map[net.Conn]struct{}{}}
	var password []byte
	if conn != nil {
		if conn.User != "" {
			s.user = conn.User
		}
		password = []byte(conn.Password)
	}
	want := client.Marshal()
	s.cfg = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if subtle.ConstantTimeCompare(key.Marshal(), want) == 1 {
				return nil, nil
			}
			return nil, errors.New("lab: unknown client key")
		},
		ServerVersion: "SSH-2.0-runbook-lab",
	}
	if len(password) > 0 {
		s.cfg.PasswordCallback = func(_ ssh.ConnMetadata, got []byte) (*ssh.Permissions, error) {
			if subtle.ConstantTimeCompare(got, password) == 1 {
				return nil, nil
			}
			return nil, errors.New("lab: wrong password")
		}
	}
	s.cfg.AddHostKey(hk)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln, s.addr = ln, ln.Addr().String()
	return s, nil
}

// serve accepts connections until the listener is closed. The listener
// stays open across a simulated reboot, so the client's reconnect succeeds.
func (s *server) serve() {
	s.lab.wg.Add(1)
	go func() {
		defer s.lab.wg.Done()
		for {
			nc, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.lab.wg.Add(1)
			go func() {
				defer s.lab.wg.Done()
				s.handle(nc)
			}()
		}
	}()
}

// handle runs one client connection: handshake, then its session channels.
func (s *server) handle(nc net.Conn) {
	if !s.track(nc) {
		nc.Close()
		return
	}
	defer s.untrack(nc)
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.session(sc, ch, creqs)
		}()
	}
	wg.Wait()
}

// track registers a live connection, handshake included, so that Close
// can end it; false once the lab is closing.
func (s *server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *server) untrack(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, nc)
	nc.Close()
}

// close stops accepting and drops every connection.
func (s *server) close() {
	s.ln.Close()
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for nc := range conns {
		nc.Close()
	}
}

// knownHostsLine is the node's known_hosts entry for its lab address.
func (s *server) knownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey.PublicKey())
}

// target is how the CLI reaches this node in the lab.
func (s *server) target(l *Lab) modules.Target {
	host, port, _ := net.SplitHostPort(s.addr)
	var p int
	fmt.Sscan(port, &p)
	return modules.Target{
		Node: s.node, Host: host, Port: p, User: s.user,
		PrivateKeyFile: l.keyFile, KnownHostsFile: l.knownHost, HostKeyCheck: "strict",
	}
}
