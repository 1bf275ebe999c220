package main

import (
	"context"
	"fmt"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// declaredFacts is the offline dry-run's view of the nodes: what the
// manifest declares (release, SSP), nothing read. What cannot be known
// offline (calls, disk, clock, services) is left empty, and the guards that
// need it say "unknown" rather than pass.
func declaredFacts(cfg *eval.Config) exec.GatherFunc {
	return func(_ context.Context, c modules.Conn, kind string) (sm.Facts, error) {
		node := ""
		if n, ok := c.(interface{ Node() string }); ok {
			node = n.Node()
		}
		n := cfg.NodeByName(node)
		if n == nil {
			return sm.Facts{}, fmt.Errorf("offline dry-run: no declared facts for node %q", node)
		}
		return sm.Facts{Release: n.Release, SSP: n.SSP}, nil
	}
}
