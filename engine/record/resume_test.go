package record

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestLastUnfinishedChain resumes a resume: the second run skipped what the
// first completed, so only the chain of both journals tells the whole story.
func TestLastUnfinishedChain(t *testing.T) {
	root := t.TempDir()
	p := fixturePlan()
	run := func(at time.Time, status string, steps ...string) string {
		rc, err := Start(StartOptions{Root: root, ChangeID: "C", Mode: ModeApply, Now: at, Plan: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			rc.Emit(Event{Type: EventStepStart, Step: s})
			rc.Emit(Event{Type: EventStepEnd, Step: s, Status: StepOK})
		}
		rc.Finish(status, "")
		return rc.Dir()
	}
	cdir, _ := ChangeDir(root, "C")
	if _, err := LastUnfinished(cdir); !errors.As(err, new(*NothingToResumeError)) {
		t.Fatalf("no runs: %v", err)
	}
	run(t0, RunSucceeded, p.Order...)
	run(t0.Add(time.Hour), RunInterrupted, p.Order[0])
	run(t0.Add(time.Hour).Add(time.Minute), RunFailed, p.Order[1])
	// The same second as the previous run: suffix "-2", still the newest.
	last := run(t0.Add(time.Hour).Add(time.Minute), RunInterrupted, p.Order[2])
	res, err := LastUnfinished(cdir)
	if err != nil || res.Dir != last {
		t.Fatalf("LastUnfinished = %+v, %v", res, err)
	}
	if want := p.Order[:3]; !reflect.DeepEqual(res.Completed, want) {
		t.Fatalf("completed %v, want %v (the succeeded run ends the chain)", res.Completed, want)
	}
	var ended []string // the chain's events, oldest run first
	for _, e := range res.Events {
		if e.Type == EventStepEnd {
			ended = append(ended, e.Step)
		}
	}
	if !reflect.DeepEqual(ended, p.Order[:3]) {
		t.Fatalf("chain events end steps %v, want %v oldest first", ended, p.Order[:3])
	}
	run(t0.Add(2*time.Hour), RunSucceeded)
	var ntr *NothingToResumeError
	if _, err := LastUnfinished(cdir); !errors.As(err, &ntr) || ntr.Last != RunSucceeded {
		t.Fatalf("after success: %v", err)
	}
}
