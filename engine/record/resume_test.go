package record

import (
	"errors"
	"path/filepath"
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

// TestLabRunsResumeApart: lab runs are recorded as "lab" and resumed only
// as lab runs; an unfinished rehearsal never stands for an unfinished apply.
func TestLabRunsResumeApart(t *testing.T) {
	root := t.TempDir()
	p := fixturePlan()
	run := func(mode string, at time.Time, status string, steps ...string) string {
		rc, err := Start(StartOptions{Root: root, ChangeID: "C", Mode: mode, Now: at, Plan: p})
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
	lab := run(ModeLab, t0, RunInterrupted, p.Order[0])
	if filepath.Base(lab) != t0.UTC().Format(stampLayout)+"-lab" {
		t.Fatalf("lab run folder %s", lab)
	}
	if loaded, _, err := Load(lab); err != nil || loaded.Mode != ModeLab {
		t.Fatalf("lab record: %+v %v", loaded, err)
	}
	var ntr *NothingToResumeError
	if _, err := LastUnfinished(cdir); !errors.As(err, &ntr) {
		t.Fatalf("an unfinished lab run is resumed as an apply: %v", err)
	}
	res, err := LastUnfinishedOf(cdir, ModeLab)
	if err != nil || res.Dir != lab || !reflect.DeepEqual(res.Completed, p.Order[:1]) {
		t.Fatalf("LastUnfinishedOf(lab) = %+v, %v", res, err)
	}
	// A newer succeeded lab run does not end an unfinished apply's chain.
	apply := run(ModeApply, t0.Add(time.Hour), RunFailed, p.Order[1])
	run(ModeLab, t0.Add(2*time.Hour), RunSucceeded, p.Order...)
	if res, err := LastUnfinished(cdir); err != nil || res.Dir != apply {
		t.Fatalf("LastUnfinished = %+v, %v; want the failed apply", res, err)
	}
	list, err := List(root)
	if err != nil || len(list) != 3 || list[0].Mode != ModeLab || list[1].Mode != ModeApply {
		t.Fatalf("records list: %+v %v", list, err)
	}
}
