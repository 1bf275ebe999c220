package ssh

import (
	"encoding/binary"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// inproc is a small SSH server for what sshd cannot test without touching
// system accounts: password and keyboard-interactive authentication and the
// prompts of an aged-out password. Exec requests run under /bin/sh -c.
type inproc struct {
	addr     string
	hostKey  ssh.PublicKey
	accepted atomic.Int64
	authed   atomic.Int64
	// passwordTries counts passwords received by either method.
	passwordTries atomic.Int64
}

type inprocOptions struct {
	password string // accepted by "password" and by keyboard-interactive
	// kbdQuestions, when set, enables keyboard-interactive with these prompts
	// (answers must all equal password).
	kbdQuestions []string
	noPassword   bool // disable the "password" method
}

func startInproc(t *testing.T, o inprocOptions) *inproc {
	t.Helper()
	_, signer := sshdtest.NewKey(t)
	s := &inproc{hostKey: signer.PublicKey()}
	cfg := &ssh.ServerConfig{}
	cfg.AddHostKey(signer)
	if !o.noPassword {
		cfg.PasswordCallback = func(_ ssh.ConnMetadata, p []byte) (*ssh.Permissions, error) {
			s.passwordTries.Add(1)
			if string(p) == o.password {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	if o.kbdQuestions != nil {
		cfg.KeyboardInteractiveCallback = func(_ ssh.ConnMetadata, ch ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			echos := make([]bool, len(o.kbdQuestions))
			answers, err := ch("", "", o.kbdQuestions, echos)
			if err != nil {
				return nil, err
			}
			for _, a := range answers {
				s.passwordTries.Add(1)
				if a != o.password {
					return nil, errors.New("wrong answer")
				}
			}
			return nil, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(nc, cfg) }()
		}
	}()
	return s
}

func (s *inproc) serve(nc net.Conn, cfg *ssh.ServerConfig) {
	defer nc.Close()
	conn, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	s.authed.Add(1)
	defer conn.Close()
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		ch, in, err := nch.Accept()
		if err != nil {
			continue
		}
		go serveExec(ch, in)
	}
}

// serveExec runs one exec request. Like OpenSSH for a non-root account, it
// delivers a "signal" request to the command's whole process group.
func serveExec(ch ssh.Channel, in <-chan *ssh.Request) {
	defer ch.Close()
	var cmd *exec.Cmd
	done := make(chan uint32, 1)
	for {
		select {
		case status := <-done:
			_, _ = ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
			return
		case req, ok := <-in:
			if !ok {
				if cmd != nil {
					<-done
				}
				return
			}
			switch {
			case req.Type == "exec" && cmd == nil && len(req.Payload) >= 4:
				_ = req.Reply(true, nil)
				cmd = exec.Command("/bin/sh", "-c", string(req.Payload[4:]))
				cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
				if err := cmd.Start(); err != nil {
					done <- 127
					continue
				}
				go func() { done <- exitStatus(cmd.Wait()) }()
			case req.Type == "signal" && cmd != nil && cmd.Process != nil:
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			default:
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
			}
		}
	}
}

func exitStatus(err error) uint32 {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return uint32(ee.ExitCode())
	}
	return 255
}

// target returns a strict target for the server with a known_hosts file.
func (s *inproc) target(t *testing.T, password string) modules.Target {
	t.Helper()
	kh := t.TempDir() + "/known_hosts"
	sshdtest.WriteKnownHosts(t, kh, sshdtest.KnownHostsLine(s.addr, s.hostKey))
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	return modules.Target{Node: "inproc", Host: host, Port: p, User: "operator",
		Password: password, KnownHostsFile: kh, HostKeyCheck: PolicyStrict}
}
