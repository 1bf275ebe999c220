package exec

import (
	"context"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// ProfileGather returns the GatherFunc that reads facts with the command
// profile p (sm.GatherFacts).
func ProfileGather(p *sm.Profile) GatherFunc {
	return func(ctx context.Context, conn modules.Conn, kind string) (sm.Facts, error) {
		return sm.GatherFacts(ctx, conn, kind, p)
	}
}

// ProfilePortCheck returns the PortCheckFunc that checks a port with the
// command profile p's port_check action (sm.PortReachable).
func ProfilePortCheck(p *sm.Profile) PortCheckFunc {
	return func(ctx context.Context, conn modules.Conn, kind, host string, port int) (bool, error) {
		return sm.PortReachable(ctx, conn, kind, p, host, port)
	}
}

// ProfileMediaCheck returns the MediaCheckFunc that reads a medium with the
// command profile p (sm.ReadMedium).
func ProfileMediaCheck(p *sm.Profile) MediaCheckFunc {
	return func(ctx context.Context, conn modules.Conn, kind, path string) (sm.Medium, error) {
		return sm.ReadMedium(ctx, conn, kind, p, path)
	}
}
