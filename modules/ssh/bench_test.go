package ssh

import (
	"context"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// BenchmarkRunOverOneConnection measures a command round trip on a reused
// connection (session open, exec, exit status).
func BenchmarkRunOverOneConnection(b *testing.B) {
	s := sshdtest.Start(b, sshdtest.Options{})
	c, err := testDialer(Options{}).DialConn(context.Background(), s.Target("sm1"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for b.Loop() {
		if _, err := c.Run(context.Background(), modules.Command{Line: "true", ReadOnly: true}); err != nil {
			b.Fatal(err)
		}
	}
}
