package exec

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
)

// An interrupt while an installer hangs: the running upgrade is named, it
// gets the (small, configured) grace, then it is stopped; the node is
// reported in unknown state and left as it is, and nothing new starts.
func TestInterruptStopsAChangeAfterTheGrace(t *testing.T) {
	w := newWorld(t)
	p, cfg := coreCluster(w)
	n := w.nodes["sm1"]
	n.block, n.blockOn, n.started = make(chan struct{}), "upgrade", make(chan struct{}) // never released
	j := &memJournal{}
	o := w.options(j)
	o.Limits.InterruptGrace = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-n.started
		cancel()
	}()
	res, err := New(o).Run(ctx, p, cfg)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if !slices.Equal(res.Unknown, []string{"sm1"}) {
		t.Fatalf("unknown = %v, want [sm1]", res.Unknown)
	}
	named, marked := false, false
	for _, e := range j.all() {
		named = named || (e.Type == record.EventWarning && strings.Contains(e.Message, "still running: core/sm1/1/upgrade"))
		marked = marked || (e.Type == record.EventStepEnd && e.Step == "core/sm1/1/upgrade" && strings.Contains(e.Message, "sm1 "+UnknownState))
	}
	if !named || !marked {
		t.Errorf("running step named %v, sm1 marked in unknown state %v", named, marked)
	}
	if n := w.node("sm1"); n.state != sm.StateDenying || n.upgrades != 0 {
		t.Errorf("sm1: %s, %d upgrade(s); want it left as it was, denying", n.state, n.upgrades)
	}
	if w.node("sm2").upgrades != 0 || w.node("sm2").state != sm.StateAccepting {
		t.Errorf("sm2 was worked on after the interrupt")
	}
}
