package record

import (
	"bytes"
	"strings"
	"testing"
)

// TestShowListsTheFailingGuard: a step failed by a guard puts the guard in
// the run's verdicts, in show and record.md, even when the journal holds no
// verdict event for it; a verdict event already there is not repeated.
func TestShowListsTheFailingGuard(t *testing.T) {
	t.Parallel()
	const msg = "sm-dal: services down: asset"
	end := Event{Type: EventStepEnd, Time: t0.Add(80e9), Step: "core/sm-dal/1/verify", Node: "sm-dal", Phase: "verify",
		Status: StepFailed, Guard: "verify.services", Message: msg}
	for _, withEvent := range []bool{false, true} {
		run := NewRun(fixturePlan(), ModeApply, "ops@ctl", t0)
		events := fixtureEvents()
		events = append(events[:len(events)-1], Event{Type: EventStepStart, Time: t0.Add(75e9), Step: end.Step, Node: end.Node, Phase: "verify"})
		if withEvent {
			events = append(events, Event{Type: EventGuard, Time: end.Time, Step: end.Step, Node: end.Node, Guard: end.Guard, Verdict: VerdictFail, Message: msg})
		}
		events = append(events, end, Event{Type: EventRunEnd, Time: t0.Add(90e9), Status: RunFailed})
		for _, e := range events {
			run.Apply(e)
		}
		n := 0
		for _, g := range run.Guards {
			if g.ID == "verify.services" && g.Verdict == VerdictFail && g.Node == "sm-dal" && g.Step == end.Step && g.Message == msg {
				n++
			}
		}
		if n != 1 {
			t.Errorf("verdict event in the journal %v: verify.services fail listed %d times, want 1: %+v", withEvent, n, run.Guards)
		}
		var b bytes.Buffer
		if err := RenderRun(&b, run, fixturePlan()); err != nil {
			t.Fatal(err)
		}
		guards := b.String()[strings.Index(b.String(), "\nGuards\n"):]
		if !strings.Contains(guards, "verify.services") || !strings.Contains(guards, "fail") {
			t.Errorf("show's Guards table omits the failing guard:\n%s", b.String())
		}
		if md := string(Markdown(run, fixturePlan())); !strings.Contains(md, "| verify.services | sm-dal | core/sm-dal/1/verify | fail |") {
			t.Errorf("record.md's guard table omits the failing guard:\n%s", md)
		}
	}
}
