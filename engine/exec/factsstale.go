package exec

import (
	"context"
	"sync"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
)

// changesFacts reports whether a step may change what a node's facts read:
// every planned phase does; a user step does unless its module keeps facts
// (wait, pause, http_check) or it says changes_facts = false (shell).
func changesFacts(s *plan.Step) bool {
	if !s.User {
		return true
	}
	spec, ok := registry.Spec(s.Module)
	return !ok || spec.ChangesFacts(s.Args)
}

// markFactsStale notes that the node's last facts may no longer hold.
func (r *run) markFactsStale(ns *nodeState) {
	r.mu.Lock()
	ns.factsStale = true
	r.mu.Unlock()
}

// factsRead is one node's read of gatherEach.
type factsRead struct {
	f   sm.Facts
	err error
}

// gatherLimit bounds the nodes read at once by gatherEach.
const gatherLimit = 64

// gatherEach reads the facts of nodes concurrently (each node on its own
// connection, at most gatherLimit at once) and returns the reads in the
// order of nodes, so what the caller records stays in plan order.
func (r *run) gatherEach(ctx context.Context, nodes []*nodeState) []factsRead {
	out := make([]factsRead, len(nodes))
	sem := make(chan struct{}, gatherLimit)
	var wg sync.WaitGroup
	for i, ns := range nodes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i].f, out[i].err = r.gather(ctx, ns, nil)
		}()
	}
	wg.Wait()
	return out
}
