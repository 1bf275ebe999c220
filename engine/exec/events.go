package exec

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// emit stamps, redacts and delivers one event to the journal and then the
// observer, under one lock so both see the same order. A journal that cannot
// be written stops the run from starting anything new: an unrecorded change
// is worse than a halted one.
func (r *run) emit(e record.Event) {
	if e.Time.IsZero() {
		e.Time = r.clock.Now().UTC()
	}
	if e.Change == "" {
		e.Change = r.p.ChangeID
	}
	red := r.red
	e.Message = red.String(e.Message)
	e.Command = red.String(e.Command)
	e.OutputTail = red.String(e.OutputTail)
	if len(e.Values) > 0 {
		v := make(map[string]string, len(e.Values))
		for k, s := range e.Values {
			v[k] = red.String(s)
		}
		e.Values = v
	}
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	var err error
	switch {
	case r.opts.Recorder != nil && e.Type != record.EventRunStart:
		err = r.opts.Recorder.Emit(e) // record.Start wrote run_start
	case r.opts.Recorder == nil && r.opts.Journal != nil:
		err = r.opts.Journal.Append(e)
	}
	if err != nil && r.journalErr == nil {
		r.journalErr = red.Err(fmt.Errorf("journal: %w", err))
	}
	if r.opts.Observer != nil {
		r.opts.Observer.Event(e)
	}
}

// end delivers the run's last event: through Recorder.Finish (which writes
// the record) when there is a Recorder, else to the journal.
func (r *run) end(status, msg string) {
	e := record.Event{Type: record.EventRunEnd, Status: status, Message: msg}
	if status == record.RunInterrupted {
		e.Type = record.EventInterrupted
	}
	if r.opts.Recorder == nil {
		r.emit(e)
		return
	}
	e.Time, e.Change, e.Message = r.clock.Now().UTC(), r.p.ChangeID, r.red.String(msg)
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	if err := r.opts.Recorder.Finish(status, e.Message); err != nil && r.journalErr == nil {
		r.journalErr = r.red.Err(fmt.Errorf("record: %w", err))
	}
	if r.opts.Observer != nil {
		r.opts.Observer.Event(e)
	}
}

func (r *run) progress(s *plan.Step, node, format string, args ...any) {
	e := record.Event{Type: EventProgress, Node: node, Message: fmt.Sprintf(format, args...)}
	if s != nil {
		e.Step, e.Phase = s.ID, string(s.Phase)
	}
	r.emit(e)
}

// EventProgress carries progress messages (active calls while draining,
// reconnect attempts, resumed steps): not a state change, a line for humans.
const EventProgress = "progress"

// guardVerdict records a guard's verdict as an event and in the result.
func (r *run) guardVerdict(s *plan.Step, node, id, verdict, msg string) {
	e := record.Event{Type: record.EventGuard, Node: node, Guard: id, Verdict: verdict, Message: msg}
	if s != nil {
		e.Step, e.Phase = s.ID, string(s.Phase)
	}
	r.emit(e)
	r.mu.Lock()
	r.res.Guards = append(r.res.Guards, record.GuardVerdict{ID: id, Node: node, Step: e.Step, Verdict: verdict, Message: r.red.String(msg)})
	r.mu.Unlock()
}

// check records a guard's verdict from its error and returns the error
// wrapped for the node, nil when the guard passed.
func (r *run) check(s *plan.Step, node, id string, err error, passMsg string) error {
	if err == nil {
		r.guardVerdict(s, node, id, record.VerdictPass, passMsg)
		return nil
	}
	if g, _ := guard.Lookup(id); g.NeedsFacts && r.declaredOnly(node) {
		r.guardVerdict(s, node, id, record.VerdictUnknown, "offline dry-run, not checked against the node: "+err.Error())
		return nil
	}
	r.guardVerdict(s, node, id, record.VerdictFail, err.Error())
	if ge, ok := err.(*GuardError); ok && ge.ID == "" {
		ge.ID = id
	}
	return err
}

// declaredOnly reports whether the node's facts are only the declared ones
// (offline dry-run), so a guard that needs the node cannot say no.
func (r *run) declaredOnly(node string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ns := r.nodes[node]; ns != nil {
		return ns.declared
	}
	return false
}
