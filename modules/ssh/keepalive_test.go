package ssh

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// freezer forwards TCP to a server until frozen; then it keeps the sockets
// open and delivers nothing, like a node that lost power behind a firewall.
type freezer struct {
	addr   string
	frozen chan struct{}
	once   sync.Once
}

func startFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{addr: l.Addr().String(), frozen: make(chan struct{})}
	done := make(chan struct{})
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		close(done)
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				dst.Close()
				return
			}
			select {
			case <-f.frozen:
				<-done
				return
			default:
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
	go func() {
		for {
			a, err := l.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				a.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, a, b)
			mu.Unlock()
			go pipe(a, b)
			go pipe(b, a)
		}
	}()
	return f
}

func (f *freezer) freeze() { f.once.Do(func() { close(f.frozen) }) }

func (f *freezer) Write(p []byte) (int, error) { f.freeze(); return len(p), nil }

var _ io.Writer = (*freezer)(nil)

func TestSilentNodeEndsCommandWithConnectionLost(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	f := startFreezer(t, s.Addr)
	tg := s.Target("sm1")
	_, port, _ := net.SplitHostPort(f.addr)
	tg.Port, _ = strconv.Atoi(port)
	sshdtest.WriteKnownHosts(t, tg.KnownHostsFile, sshdtest.KnownHostsLine(f.addr, s.HostKey))
	c := mustDial(t, testDialer(Options{KeepAlive: 50 * time.Millisecond}), tg)
	// The first output freezes the path; without keepalives Run never returns.
	_, err := c.Run(context.Background(), modules.Command{Line: "echo started; sleep 30", Output: f})
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("err = %v, want ErrConnectionLost", err)
	}
}
