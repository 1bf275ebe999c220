package record

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
)

// Recorder is the single point through which a run records what happens:
// each event goes to the journal (fsynced), into the in-memory Run, and to
// the optional `--json` stream, all redacted. The executor calls Emit for
// every event and Finish once at the end.
type Recorder struct {
	mu     sync.Mutex
	dir    string
	run    *Run
	plan   *plan.Plan
	red    *Redactor
	j      *Journal
	stream io.Writer
	done   bool
}

// StartOptions describe a new run's record.
type StartOptions struct {
	Root     string     // records root ("records" or --records DIR)
	ChangeID string     // empty for a dry run without change id
	Mode     string     // ModeApply | ModeDryRun | ModeLab
	Who      string     // user@host; empty: the current user and host
	Now      time.Time  // start time; zero: time.Now()
	Plan     *plan.Plan // written to plan.json; drawn in record.md
	Redactor *Redactor  // nil: nothing to redact
	Stream   io.Writer  // optional: receives each event as one JSON line (--json)
}

// Start creates the run's record folder, writes plan.json, opens the journal
// and emits run_start.
func Start(o StartOptions) (*Recorder, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Who == "" {
		o.Who = Who()
	}
	dir, err := NewRecordDir(o.Root, o.ChangeID, o.Mode, o.Now)
	if err != nil {
		return nil, o.Redactor.Err(err)
	}
	rc := &Recorder{dir: dir, plan: o.Plan, red: o.Redactor, stream: o.Stream}
	rc.run = NewRun(o.Plan, o.Mode, o.Who, o.Now)
	rc.run.ChangeID = o.ChangeID
	if o.Plan != nil {
		sha, err := WritePlan(dir, o.Plan, o.Redactor)
		if err != nil {
			return nil, o.Redactor.Err(err)
		}
		rc.run.PlanSHA256 = sha
	}
	if rc.j, err = OpenJournal(dir, o.Redactor); err != nil {
		return nil, o.Redactor.Err(err)
	}
	if o.Mode == ModeDryRun {
		rc.j.Lazy()
	}
	if err := rc.Emit(RunStart(rc.run)); err != nil {
		rc.j.Close()
		return nil, err
	}
	return rc, nil
}

// Dir is the run's record folder.
func (rc *Recorder) Dir() string { return rc.dir }

// Run returns the record as it stands. It is the Recorder's own value: read
// it, or change it only between Emit calls of the same goroutine.
func (rc *Recorder) Run() *Run { return rc.run }

// Emit journals e, folds it into the Run and writes it to the stream. A zero
// Time is set to now. A journal failure is returned (the run should stop: it
// can no longer be audited); a stream failure is not, the journal being the
// record of truth.
func (rc *Recorder) Emit(e Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.done {
		return errors.New("record: emit after finish")
	}
	if err := rc.j.Append(e); err != nil {
		return rc.red.Err(err)
	}
	rc.run.Apply(e)
	if rc.stream != nil {
		if line, err := rc.red.Encode(e); err == nil {
			rc.stream.Write(line)
		}
	}
	return nil
}

// Finish emits the final event — run_end with status, or interrupted when
// status is RunInterrupted — writes record.json and record.md, and closes
// the journal. message goes to the event (and, unless the run succeeded, to
// the record's errors).
func (rc *Recorder) Finish(status, message string) error {
	e := Event{Type: EventRunEnd, Status: status, Message: message}
	if status == RunInterrupted {
		e.Type = EventInterrupted
	}
	err := rc.Emit(e)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.done {
		return err
	}
	rc.done = true
	if status == RunInterrupted && message != "" {
		rc.run.Errors = append(rc.run.Errors, message)
	}
	rc.run.Status = status // interrupted events carry no status of their own
	werr := Write(rc.dir, rc.run, rc.plan, rc.red)
	cerr := rc.j.Close()
	return rc.red.Err(errors.Join(err, werr, cerr))
}

// Who returns user@host for Run.Who.
func Who() string {
	h := currentHolder()
	return h.User + "@" + h.Host
}
