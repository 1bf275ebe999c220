package progress

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
)

// tally follows a run through its events, for the summary both the plain
// and the TTY renderers end with.
type tally struct {
	start, last time.Time
	status      string // from run_end; "interrupted" after an interrupted event
	steps       map[string]string
	nodeOrder   []string
	inOrder     map[string]bool // the nodes in nodeOrder: add runs for every event
	failed      map[string]bool
	rollback    map[string]bool
	started     map[string]bool            // nodes that started a step
	open        map[string]map[string]bool // node -> steps started and not ended ok
	outcome     *Outcome
}

func newTally() *tally {
	return &tally{steps: map[string]string{}, failed: map[string]bool{}, rollback: map[string]bool{},
		started: map[string]bool{}, open: map[string]map[string]bool{}, inOrder: map[string]bool{}}
}

// addNode appends n to nodeOrder unless it is there.
func (t *tally) addNode(n string) {
	if !t.inOrder[n] {
		t.inOrder[n] = true
		t.nodeOrder = append(t.nodeOrder, n)
	}
}

// seed lists the plan's nodes first, so that a node the run never reached
// is reported as not run.
func (t *tally) seed(nodes []string) {
	for _, n := range nodes {
		t.addNode(n)
	}
}

func (t *tally) add(e record.Event) {
	if !e.Time.IsZero() {
		if t.start.IsZero() {
			t.start = e.Time
		}
		t.last = e.Time
	}
	if e.Node != "" {
		t.addNode(e.Node)
	}
	switch e.Type {
	case record.EventStepStart:
		t.steps[e.Step] = record.StepRunning
		t.started[e.Node] = true
		if t.open[e.Node] == nil {
			t.open[e.Node] = map[string]bool{}
		}
		t.open[e.Node][e.Step] = true
	case record.EventStepEnd:
		t.steps[e.Step] = e.Status
		t.started[e.Node] = true
		switch e.Status {
		case record.StepFailed:
			t.failed[e.Node] = true
		case record.StepOK, record.StepSkipped:
			delete(t.open[e.Node], e.Step)
		}
	case record.EventRollback:
		t.rollback[e.Node] = true
	case record.EventInterrupted:
		t.status = record.RunInterrupted
	case record.EventRunEnd:
		t.status = e.Status
	}
}

// Summary counts steps by final status and nodes by outcome.
type Summary struct {
	Status                                        string
	Duration                                      time.Duration
	StepsOK, StepsFailed, StepsSkipped, StepsLeft int
	Succeeded, Failed, RolledBack, Incomplete     []string
	NotRun                                        []string
}

func (t *tally) summary() Summary {
	s := Summary{Status: t.status, Duration: t.last.Sub(t.start)}
	for _, st := range t.steps {
		switch st {
		case record.StepOK:
			s.StepsOK++
		case record.StepFailed:
			s.StepsFailed++
		case record.StepSkipped:
			s.StepsSkipped++
		default:
			s.StepsLeft++
		}
	}
	if t.outcome != nil {
		o := t.outcome
		s.Succeeded, s.Failed, s.RolledBack, s.Incomplete = o.Succeeded, o.Failed, o.RolledBack, o.Incomplete
		// The executor counts a rolled-back node as failed too; the
		// summary names it once, as rolled back.
		s.Failed = slices.DeleteFunc(slices.Clone(s.Failed), func(n string) bool { return slices.Contains(s.RolledBack, n) })
		return s
	}
	for _, n := range t.nodeOrder {
		switch {
		case t.rollback[n]:
			s.RolledBack = append(s.RolledBack, n)
		case t.failed[n]:
			s.Failed = append(s.Failed, n)
		case !t.started[n]:
			s.NotRun = append(s.NotRun, n)
		case len(t.open[n]) > 0:
			s.Incomplete = append(s.Incomplete, n)
		default:
			s.Succeeded = append(s.Succeeded, n)
		}
	}
	return s
}

// String is the one-line summary: run status, duration, steps, nodes.
func (s Summary) String() string {
	status := s.Status
	if status == "" {
		status = "ended"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %s in %s: %d steps ok, %d failed, %d skipped", status, fmtDuration(s.Duration), s.StepsOK, s.StepsFailed, s.StepsSkipped)
	if s.StepsLeft > 0 {
		fmt.Fprintf(&b, ", %d unfinished", s.StepsLeft)
	}
	fmt.Fprintf(&b, "; nodes: %d succeeded, %d failed, %d rolled back", len(s.Succeeded), len(s.Failed), len(s.RolledBack))
	if len(s.Incomplete) > 0 {
		fmt.Fprintf(&b, ", %d incomplete", len(s.Incomplete))
	}
	if len(s.NotRun) > 0 {
		fmt.Fprintf(&b, ", %d not run", len(s.NotRun))
	}
	for _, g := range []struct {
		label string
		names []string
	}{{"failed", s.Failed}, {"rolled back", s.RolledBack}, {"incomplete", s.Incomplete}} {
		if len(g.names) > 0 {
			fmt.Fprintf(&b, " [%s: %s]", g.label, strings.Join(g.names, ", "))
		}
	}
	return b.String()
}
