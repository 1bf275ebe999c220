package record

import (
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/facts"
)

// StepRunning is a step's status between its step_start and step_end. It
// never survives into a finished record: an interruption turns it into
// StepInterrupted.
const StepRunning = "running"

// Keys of a run_start event's Values.
const (
	ValueMode           = "mode"
	ValueWho            = "who"
	ValueRunbook        = "runbook"
	ValueManifestSHA256 = "manifest_sha256"
	ValuePlanSHA256     = "plan_sha256"
)

// NewRun starts a record from the plan: every node, and every step in the
// plan's order as not_run, so a step the run never reached still shows.
func NewRun(p *plan.Plan, mode, who string, started time.Time) *Run {
	run := &Run{FormatVersion: FormatV, Mode: mode, Who: who, Started: started.UTC()}
	if p == nil {
		return run
	}
	run.ChangeID, run.Runbook, run.ManifestSHA256 = p.ChangeID, p.Runbook, p.ManifestSHA256
	for _, n := range p.Nodes {
		run.Nodes = append(run.Nodes, NodeRecord{Name: n.Name, Kind: string(n.Kind), Cluster: n.Cluster, Host: n.Host, Release: n.Release, Target: n.Target})
	}
	ids := p.Order
	if len(ids) == 0 {
		for _, s := range p.Steps {
			ids = append(ids, s.ID)
		}
	}
	for _, id := range ids {
		if s := p.StepByID(id); s != nil {
			run.Steps = append(run.Steps, StepRecord{ID: s.ID, Node: s.Node, Phase: string(s.Phase), Hop: s.Hop, Status: StepNotRun})
		}
	}
	return run
}

// RunStart returns the run_start event describing run; Apply of it on an
// empty Run restores those fields, which is how a killed run's record is
// rebuilt from its journal.
func RunStart(run *Run) Event {
	return Event{Type: EventRunStart, Time: run.Started, Change: run.ChangeID, Values: map[string]string{
		ValueMode: run.Mode, ValueWho: run.Who, ValueRunbook: run.Runbook,
		ValueManifestSHA256: run.ManifestSHA256, ValuePlanSHA256: run.PlanSHA256,
	}}
}

// Apply folds one journal event into the record. The executor may keep its
// Run up to date this way, and Load uses it to rebuild a record from a
// journal. Conventions: facts events carry Node, Facts and optionally Phase
// "after" (the first facts of a node are its "before", later ones its "after"); rollback events carry the action in Phase; step_end carries the
// summary (ok) or the error (otherwise) in Message.
func (r *Run) Apply(e Event) {
	switch e.Type {
	case EventRunStart:
		if r.Started.IsZero() {
			r.Started = e.Time.UTC()
		}
		setIf(&r.ChangeID, e.Change)
		setIf(&r.Mode, e.Values[ValueMode])
		setIf(&r.Who, e.Values[ValueWho])
		setIf(&r.Runbook, e.Values[ValueRunbook])
		setIf(&r.ManifestSHA256, e.Values[ValueManifestSHA256])
		setIf(&r.PlanSHA256, e.Values[ValuePlanSHA256])
	case EventFacts:
		f := facts.From(e.Facts)
		if f == nil || e.Node == "" {
			return
		}
		n := r.node(e.Node)
		// The first facts seen are "before"; any later reading is the newest
		// state known, hence "after".
		if e.Phase == "after" || n.FactsBefore != nil {
			n.FactsAfter = f
		} else {
			n.FactsBefore = f
		}
	case EventGuard:
		r.Guards = append(r.Guards, GuardVerdict{ID: e.Guard, Node: e.Node, Step: e.Step, Verdict: e.Verdict, Message: e.Message})
	case EventStepStart:
		s := r.step(e)
		s.Status, s.Start, s.ExitCode, s.Error, s.Commands = StepRunning, e.Time.UTC(), nil, "", nil
	case EventCommand:
		if e.Step == "" {
			return
		}
		s := r.step(e)
		if e.Command != "" {
			s.Commands = append(s.Commands, e.Command)
		}
		if e.ExitCode != nil {
			s.ExitCode = e.ExitCode
		}
	case EventStepEnd:
		s := r.step(e)
		s.Status, s.DurationMS = e.Status, e.DurationMS
		if e.ExitCode != nil {
			s.ExitCode = e.ExitCode
		}
		if s.Start.IsZero() && !e.Time.IsZero() {
			s.Start = e.Time.Add(-time.Duration(e.DurationMS) * time.Millisecond).UTC()
		}
		if e.Status == StepOK || e.Status == StepSkipped {
			s.Summary = e.Message
		} else {
			s.Error = e.Message
		}
		if e.Status == StepFailed && e.Guard != "" {
			r.guardFailed(e)
		}
	case EventRollback:
		r.Rollback = append(r.Rollback, RollbackAction{Time: e.Time.UTC(), Node: e.Node, Step: e.Step, Action: e.Phase, Status: e.Status, Message: e.Message})
		if e.Phase == "verify" && e.Status == StepOK {
			r.markRolledBack(e.Node)
		}
	case EventInterrupted:
		r.Status, r.Ended = RunInterrupted, e.Time.UTC()
		r.interruptRunning()
	case EventRunEnd:
		r.Status, r.Ended = e.Status, e.Time.UTC()
		if e.Message != "" && e.Status != RunSucceeded {
			r.Errors = append(r.Errors, e.Message)
		}
		r.interruptRunning()
	}
}

// markRolledBack marks the node's completed changes (the phases that
// install: ssp, upgrade, restore, migrate) rolled back, once the rollback
// verified the node on its source.
func (r *Run) markRolledBack(name string) {
	for i := range r.Steps {
		st := &r.Steps[i]
		if rollout.Phase(st.Phase).Spec().Installs() && st.Node == name && st.Status == StepOK {
			st.Status = StepRolledBack
		}
	}
}

func (r *Run) interruptRunning() {
	for i := range r.Steps {
		if r.Steps[i].Status == StepRunning {
			r.Steps[i].Status = StepInterrupted
		}
	}
}

func (r *Run) node(name string) *NodeRecord {
	for i := range r.Nodes {
		if r.Nodes[i].Name == name {
			return &r.Nodes[i]
		}
	}
	r.Nodes = append(r.Nodes, NodeRecord{Name: name})
	return &r.Nodes[len(r.Nodes)-1]
}

// step returns the record of e's step, the first in Steps with its ID,
// appending one if there is none. It runs for every step event: the index
// by ID keeps folding a large run's journal from being quadratic. An entry
// is trusted only while Steps still holds that ID at that position (Steps
// is exported and may change under it); any miss rebuilds the index.
func (r *Run) step(e Event) *StepRecord {
	if i, ok := r.stepAt[e.Step]; ok && i < len(r.Steps) && r.Steps[i].ID == e.Step {
		return &r.Steps[i]
	}
	r.stepAt = make(map[string]int, len(r.Steps)+1)
	for i := range r.Steps {
		if _, dup := r.stepAt[r.Steps[i].ID]; !dup {
			r.stepAt[r.Steps[i].ID] = i
		}
	}
	if i, ok := r.stepAt[e.Step]; ok {
		return &r.Steps[i]
	}
	r.Steps = append(r.Steps, StepRecord{ID: e.Step, Node: e.Node, Phase: e.Phase, Status: StepNotRun})
	r.stepAt[e.Step] = len(r.Steps) - 1
	return &r.Steps[len(r.Steps)-1]
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// guardFailed makes sure the guard that failed a step is among the run's
// verdicts: the step's end names it, and a journal may hold no verdict event
// for it (a journal written before every refusal was one), yet the guard
// table is where a reader looks for the refusal first.
func (r *Run) guardFailed(e Event) {
	for _, g := range r.Guards {
		if g.ID == e.Guard && g.Node == e.Node && g.Step == e.Step && g.Verdict == VerdictFail {
			return
		}
	}
	r.Guards = append(r.Guards, GuardVerdict{ID: e.Guard, Node: e.Node, Step: e.Step, Verdict: VerdictFail, Message: e.Message})
}
