package exec

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
)

// TestInitialFactsReadAtOnce: the facts of every node are read before the
// walk on each node's own connection at the same time, not one node after
// the other, whatever --parallel allows for changes. Each node's first read
// waits until every node's first read has begun; read one after the other,
// the first would wait alone (bounded, then the test fails).
func TestInitialFactsReadAtOnce(t *testing.T) {
	w := newWorld(t)
	var specs []spec
	const n = 4
	for i := range n {
		name, c := fmt.Sprintf("c%d-sm", i), fmt.Sprintf("c%d", i)
		w.add(name, c, eval.KindSM, "10.1.3.0")
		specs = append(specs, spec{name, c, eval.KindSM, "10.1.3.0", "10.2.0.1", ""})
	}
	p, cfg := buildPlan(specs)
	o := w.options(nil)
	o.Parallel = 1
	var mu sync.Mutex
	seen := map[string]bool{}
	all := make(chan struct{})
	alone := false
	o.Driver.(*testDriver).gather = func(ctx context.Context, c modules.Conn, kind string) (facts.Facts, error) {
		node := c.(interface{ Node() string }).Node()
		mu.Lock()
		first := !seen[node]
		seen[node] = true
		if first && len(seen) == n {
			close(all)
		}
		mu.Unlock()
		if first {
			select {
			case <-all:
			case <-time.After(5 * time.Second): // a bound, not a timing: serial reads never get here
				mu.Lock()
				alone = true
				mu.Unlock()
			}
		}
		return w.gather(ctx, c, kind)
	}
	if _, err := New(o).Run(context.Background(), p, cfg); err != nil {
		t.Fatal(err)
	}
	if alone {
		t.Fatal("a node's facts were read while no other node's were: the reads ran one after the other")
	}
	for name, nd := range w.nodes {
		if nd.release != "10.2.0.1" {
			t.Errorf("%s not upgraded", name)
		}
	}
}
