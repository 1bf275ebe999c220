package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
)

// Plain writes one timestamped line per meaningful event, for output that is
// not a terminal (CI logs, pipes, files):
//
//	2026-11-25T14:03:01Z sm-dal core/sm-dal/1/backup started
//
// Times are the events' own (UTC, RFC 3339), so the same events always give
// the same lines.
type Plain struct {
	w   io.Writer
	red *record.Redactor
	cfg config

	mu     sync.Mutex
	tally  *tally
	closed bool
}

// NewPlain returns a plain-line renderer writing to w through red.
func NewPlain(w io.Writer, red *record.Redactor, opts ...Option) *Plain {
	return &Plain{w: w, red: red, cfg: newConfig(opts), tally: newTally()}
}

// Event writes the event's line, if it has one.
func (p *Plain) Event(e record.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = p.cfg.now()
	}
	p.tally.add(e)
	if text := plainText(e); text != "" {
		p.line(e.Time, text)
	}
}

// SetOutcome records the executor's final node lists for the summary.
func (p *Plain) SetOutcome(o Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tally.outcome = &o
}

// Close writes the summary line, stamped with the last event's time.
func (p *Plain) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	at := p.tally.last
	if at.IsZero() {
		at = p.cfg.now()
	}
	return p.line(at, "summary: "+p.tally.summary().String())
}

func (p *Plain) line(t time.Time, text string) error {
	s := t.UTC().Format(time.RFC3339) + " " + oneLine(text) + "\n"
	_, err := io.WriteString(p.w, p.red.String(s))
	return err
}

// plainText is the text of an event's line after the timestamp, "" for an
// event not worth a line.
func plainText(e record.Event) string {
	who := join(e.Node, e.Step)
	switch e.Type {
	case record.EventRunStart:
		return join("run started", e.Message)
	case record.EventFacts:
		label := "facts"
		if e.Message != "" {
			label += " (" + e.Message + ")"
		}
		return join(e.Node, label+":", factsLine(e.Facts))
	case record.EventGuard:
		return join(who, "guard", e.Guard, e.Verdict) + colon(e.Message)
	case record.EventStepStart:
		return join(who, "started")
	case record.EventCommand:
		// Reads (facts, checks) run by the dozen and change nothing: a line
		// each would bury the changes. One that failed to run still shows.
		if e.Status == statusReadOnly && e.Message == "" {
			return ""
		}
		return join(who, commandText(e))
	case record.EventStepEnd:
		status := e.Status
		if status != record.StepOK && status != record.StepSkipped {
			status = strings.ToUpper(status)
		}
		if e.DurationMS > 0 {
			status += " (" + fmtDuration(time.Duration(e.DurationMS)*time.Millisecond) + ")"
		}
		if e.Guard != "" {
			status += " [" + e.Guard + "]"
		}
		return join(who, status) + colon(e.Message)
	case record.EventRollback:
		return join(who, "rollback", e.Phase, e.Status) + colon(e.Message)
	case record.EventWarning:
		return join(who, "warning") + colon(e.Message)
	case record.EventInterrupted:
		return join("interrupted" + colon(e.Message))
	case record.EventRunEnd:
		return join("run", e.Status) + colon(e.Message)
	case eventProgress:
		return join(who, e.Message)
	}
	return join(who, e.Type) + colon(e.Message)
}

// commandText describes a command event: what ran and how it ended, or
// what a dry-run would run.
func commandText(e record.Event) string {
	if e.Status == record.StepSkipped {
		return "would run: " + e.Command
	}
	if e.Status == record.CommandNotExecuted {
		return "not executed in the lab: " + e.Command
	}
	var end []string
	if e.ExitCode != nil {
		end = append(end, fmt.Sprintf("exit %d", *e.ExitCode))
	}
	if e.DurationMS > 0 {
		end = append(end, fmtDuration(time.Duration(e.DurationMS)*time.Millisecond))
	}
	switch {
	case e.Status == statusRebooted:
		end = append(end, e.Message)
	case e.Message != "":
		end = append(end, "error: "+e.Message)
	}
	s := "$ " + e.Command
	if len(end) > 0 {
		s += " (" + strings.Join(end, ", ") + ")"
	}
	return s
}

// join joins the non-empty parts with spaces.
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// colon prefixes a non-empty message with ": ".
func colon(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}
