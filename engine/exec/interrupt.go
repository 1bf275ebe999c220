package exec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// UnknownState is what the output and the record say of a node whose
// node-changing step was stopped before it ended: nobody knows what the
// installer (or restore) did, so the node must be looked at by a person
// before the change goes on.
const UnknownState = "in unknown state: check it before --resume"

// startGrace makes r.hard, the context node-changing steps run on. It ends
// Limits.InterruptGrace after ctx does: an installer cut short can leave a
// half-changed node, so an interrupt lets it go on for a while, but never
// without bound. The returned func releases it.
func (r *run) startGrace(ctx context.Context) func() {
	hard, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.hard = hard
	var mu sync.Mutex
	var timer *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(r.lim.InterruptGrace, cancel)
		mu.Unlock()
	})
	return func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// graceful reports whether a step runs on r.hard: a planned change of the
// node's software or data (a phase that installs), which an interrupt does
// not cut at once.
func graceful(s *plan.Step) bool { return !s.User && s.Phase.Spec().Installs() }

// announceStop says, once, that the run was interrupted: nothing new starts,
// and which steps are still running (changes get the grace, the others are
// being stopped).
func (w *walker) announceStop() {
	ids := make([]string, 0, len(w.running))
	for id := range w.running {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	msg := "interrupted: no new step starts"
	if len(ids) > 0 {
		parts := make([]string, len(ids))
		for i, id := range ids {
			if graceful(w.byID[id]) {
				parts[i] = fmt.Sprintf("%s (a change: given up to %s to end, then stopped)", id, w.r.lim.InterruptGrace)
			} else {
				parts[i] = id + " (being stopped)"
			}
		}
		msg += "; still running: " + strings.Join(parts, ", ")
	}
	w.r.emit(record.Event{Type: record.EventWarning, Message: msg})
}

// interrupted ends a step cut short by the interrupt. A change stopped
// after the grace leaves its node in unknown state: that is a failure of
// the node (output, record), and nothing more is done to it.
func (r *run) interrupted(ns *nodeState, s *plan.Step, dur int64) string {
	if !graceful(s) || r.hard.Err() == nil {
		r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase),
			Status: StatusInterrupted, DurationMS: dur, Message: "interrupted"})
		return StatusInterrupted
	}
	err := fmt.Errorf("%s %s: the %s was still running %s after the interrupt and was stopped",
		ns.name, UnknownState, s.Phase, r.lim.InterruptGrace)
	r.mu.Lock()
	ns.unknown = true
	r.mu.Unlock()
	ne := r.fail(ns.name, s.ID, err)
	r.emit(record.Event{Type: record.EventStepEnd, Step: s.ID, Node: s.Node, Phase: string(s.Phase),
		Status: StatusInterrupted, DurationMS: dur, Message: ne.Err.Error()})
	return StatusInterrupted
}
