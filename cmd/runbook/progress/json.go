package progress

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
)

// JSON writes one JSON object per event and per line (`apply --json`), with
// only the fields a script needs and nothing else on the writer: no banner,
// no summary (the run_end event is the summary).
type JSON struct {
	w   io.Writer
	red *record.Redactor
	cfg config
	mu  sync.Mutex
	err error
}

// jsonEvent is the wire form. Its field set is a contract: adding a field
// is a change of the `--json` format.
type jsonEvent struct {
	Type       string `json:"type"`
	Time       string `json:"time"`
	Step       string `json:"step,omitempty"`
	Node       string `json:"node,omitempty"`
	Phase      string `json:"phase,omitempty"`
	Status     string `json:"status,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	ExitCode   *int   `json:"exit_code,omitempty"`
	Guard      string `json:"guard,omitempty"`
	Verdict    string `json:"verdict,omitempty"`
	Message    string `json:"message,omitempty"`
}

// JSONFields lists the keys a `--json` line may carry.
var JSONFields = []string{"type", "time", "step", "node", "phase", "status", "duration_ms", "exit_code", "guard", "verdict", "message"}

// NewJSON returns a JSON-lines renderer writing to w through red.
func NewJSON(w io.Writer, red *record.Redactor, opts ...Option) *JSON {
	return &JSON{w: w, red: red, cfg: newConfig(opts)}
}

// Event writes the event as one line. A command event's message is the
// command line (and its transport error, if any); a facts event's message
// summarises the facts.
func (j *JSON) Event(e record.Event) {
	if e.Time.IsZero() {
		e.Time = j.cfg.now()
	}
	msg := e.Message
	switch e.Type {
	case record.EventCommand:
		msg = e.Command
		switch {
		case e.Status == statusRebooted:
			msg = join(msg, e.Message)
		case e.Message != "":
			msg = join(msg, "error: "+e.Message)
		}
	case record.EventFacts:
		if f := factsLine(e.Facts); f != "" && e.Message != "" {
			msg = e.Message + ": " + f
		} else if f != "" {
			msg = f
		}
	}
	r := j.red.String
	b, err := json.Marshal(jsonEvent{
		Type: e.Type, Time: e.Time.UTC().Format(time.RFC3339Nano),
		Step: r(e.Step), Node: r(e.Node), Phase: r(e.Phase), Status: r(e.Status),
		DurationMS: e.DurationMS, ExitCode: e.ExitCode,
		Guard: r(e.Guard), Verdict: r(e.Verdict), Message: r(msg),
	})
	if err != nil {
		return
	}
	b = append(j.red.JSON(b), '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(b); err != nil && j.err == nil {
		j.err = err
	}
}

// SetOutcome is part of Renderer; the JSON stream has no summary to adjust.
func (j *JSON) SetOutcome(Outcome) {}

// Close reports the first write error, if any. It writes nothing.
func (j *JSON) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}
