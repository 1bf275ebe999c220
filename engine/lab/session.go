package lab

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// session serves one session channel: one "exec" (a command line for the
// simulator) or one "subsystem sftp", and the "signal" requests that stop
// it. Like sshd without AcceptEnv or a terminal, it refuses env, pty-req and
// shell: the modules never need them, and a real node's forced command
// would not honour them either.
func (s *server) session(sc *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	ctx, cancel := context.WithCancel(s.lab.ctx)
	defer cancel()
	var (
		started bool
		done    = make(chan struct{})
		signal  atomic.Value // the name of the signal that stopped the command
	)
	start := func(run func()) {
		started = true
		go func() {
			defer close(done)
			run()
		}()
	}
	for req := range reqs {
		switch req.Type {
		case "exec":
			var p struct{ Command string }
			if started || ssh.Unmarshal(req.Payload, &p) != nil {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			start(func() { s.exec(ctx, sc, ch, p.Command, &signal) })
		case "subsystem":
			var p struct{ Name string }
			if started || ssh.Unmarshal(req.Payload, &p) != nil || p.Name != "sftp" {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			start(func() { s.sftp(ch) })
		case "signal":
			var p struct{ Signal string }
			if ssh.Unmarshal(req.Payload, &p) == nil && p.Signal != "" {
				signal.CompareAndSwap(nil, p.Signal)
				cancel()
			}
			req.Reply(true, nil)
		default:
			req.Reply(false, nil)
		}
	}
	// The client closed the channel or the connection went away: a command
	// still running has nobody to report to, so it is cancelled.
	cancel()
	if started {
		<-done
	}
}

// exec runs one command line through the simulator with the channel as its
// standard streams, then reports how it ended: exit-signal when a signal
// stopped it, exit-status otherwise, nothing when the node rebooted (the
// connection is gone, as after a real reboot).
func (s *server) exec(ctx context.Context, sc *ssh.ServerConn, ch ssh.Channel, line string, signal *atomic.Value) {
	var dropped atomic.Bool
	var once sync.Once
	env := sim.Env{TimeScale: s.scale, Reboot: func() {
		once.Do(func() {
			// The connection goes first, as one event: a client that saw
			// only its channel close could open a new session in between.
			dropped.Store(true)
			sc.Close()
			ch.Close()
		})
	}}
	code := sim.Exec(ctx, s.dir, line, ch, ch, ch.Stderr(), env)
	if dropped.Load() {
		return
	}
	if name, ok := signal.Load().(string); ok && ctx.Err() != nil {
		msg := struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{Signal: name, Error: "killed by signal"}
		ch.SendRequest("exit-signal", false, ssh.Marshal(&msg))
	} else {
		ch.SendRequest("exit-status", false, ssh.Marshal(&struct{ Status uint32 }{uint32(code)}))
	}
	ch.CloseWrite()
	ch.Close()
}

// sftp serves the SFTP subsystem confined to the node's fake root, with the
// same path mapping as smsim serve (sim.SFTPHandlers).
func (s *server) sftp(ch ssh.Channel) {
	srv := sftp.NewRequestServer(ch, sim.SFTPHandlers(s.dir))
	srv.Serve()
	srv.Close()
}
