package ssh

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
)

// testDialer never reaches the machine's agent unless a test names one.
func testDialer(o Options) *Dialer {
	if o.AgentSocket == "" {
		o.NoAgent = true
	}
	return NewDialer(o)
}

func mustDial(t *testing.T, d *Dialer, tg modules.Target) *Conn {
	t.Helper()
	c, err := d.DialConn(context.Background(), tg)
	if err != nil {
		t.Fatalf("dial %s: %v", tg.Node, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustRun(t *testing.T, c *Conn, line string) modules.Result {
	t.Helper()
	res, err := c.Run(context.Background(), modules.Command{Line: line})
	if err != nil {
		t.Fatalf("run %q: %v", line, err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("run %q: exit %d: %s", line, res.ExitCode, res.Stderr)
	}
	return res
}

// assertNoSecret fails when err's message carries secret.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Fatalf("error message leaks a secret: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
