package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JournalFile is the journal's name inside a record folder.
const JournalFile = "journal.jsonl"

// Event types of the journal and of `apply --json`.
const (
	EventRunStart    = "run_start"
	EventFacts       = "facts"
	EventGuard       = "guard"
	EventStepStart   = "step_start"
	EventCommand     = "command"
	EventStepEnd     = "step_end"
	EventRollback    = "rollback"
	EventRunEnd      = "run_end"
	EventInterrupted = "interrupted"
	EventWarning     = "warning"
)

// Event is one line of journal.jsonl and of the `apply --json` stream: the
// same value serves both, so a script reading the stream and an auditor
// reading the journal see the same fields.
type Event struct {
	Type         string            `json:"type"`
	Time         time.Time         `json:"time"`
	Change       string            `json:"change,omitempty"`
	Step         string            `json:"step,omitempty"`
	Node         string            `json:"node,omitempty"`
	Phase        string            `json:"phase,omitempty"`
	Status       string            `json:"status,omitempty"`
	DurationMS   int64             `json:"duration_ms,omitempty"`
	ExitCode     *int              `json:"exit_code,omitempty"` // set for command events, 0 included
	Guard        string            `json:"guard,omitempty"`
	Verdict      string            `json:"verdict,omitempty"`
	Message      string            `json:"message,omitempty"`
	Command      string            `json:"command,omitempty"`
	OutputSHA256 string            `json:"output_sha256,omitempty"`
	OutputTail   string            `json:"output_tail,omitempty"`
	Values       map[string]string `json:"values,omitempty"` // module outcome values
	// Facts carries a node's facts for facts events (facts.Facts or any JSON value).
	Facts any `json:"facts,omitempty"`
}

// ExitCode returns a pointer to c, for Event.ExitCode.
func ExitCode(c int) *int { return &c }

// Encode returns e as one redacted JSON line (newline included): what the
// journal writes and what `apply --json` prints.
func (r *Redactor) Encode(e Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, r.Err(fmt.Errorf("encode %s event: %w", e.Type, err))
	}
	return append(r.JSON(b), '\n'), nil
}

// Journal appends events to journal.jsonl. Every event is written with one
// write call before Append returns, so a killed process loses at most the
// event being written, and a reader sees at most one torn line, the last.
// What must survive a crash of the machine itself is fsynced (see durable):
// the start and end of every step and of the run, rollbacks and interrupts,
// so the journal never loses that a node-changing step started, nor how it
// ended. The commands between two step boundaries ride with the next fsync:
// an fsync per command cost a large dry-run tens of seconds.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	r    *Redactor
	path string
	// lazy defers every fsync to Close: a dry-run changes no node, so there
	// is nothing a crash could make the journal forget that matters.
	lazy bool
	// dirty says events were written since the last fsync.
	dirty bool
	// sync is f.Sync; tests count it.
	sync func() error
}

// durable says whether an event is fsynced as soon as it is written.
func durable(e Event) bool {
	switch e.Type {
	case EventCommand, EventFacts, EventGuard, EventWarning:
		return false
	}
	return true
}

// OpenJournal opens (creating it 0600, and dir 0700, when absent) the journal
// of a record folder for appending. When a killed run left a torn last line,
// a newline is written first so the next event starts a line of its own.
func OpenJournal(dir string, r *Redactor) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, JournalFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := terminateTornLine(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return &Journal{f: f, r: r, path: path, sync: f.Sync}, nil
}

// Lazy makes the journal fsync only when it is closed (dry-runs).
func (j *Journal) Lazy() {
	j.mu.Lock()
	j.lazy = true
	j.mu.Unlock()
}

func terminateTornLine(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	rf, err := os.Open(path)
	if err != nil {
		return err
	}
	defer rf.Close()
	last := make([]byte, 1)
	if _, err := rf.ReadAt(last, st.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return err
	}
	return f.Sync()
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Append redacts e and writes it as one line, fsynced (with every line
// before it) when the event is durable and the journal is not lazy. A zero
// Time is set to now (UTC).
func (j *Journal) Append(e Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	line, err := j.r.Encode(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return os.ErrClosed
	}
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.dirty = true
	if j.lazy || !durable(e) {
		return nil
	}
	return j.flush()
}

// flush fsyncs what was written since the last fsync. j.mu is held.
func (j *Journal) flush() error {
	if !j.dirty {
		return nil
	}
	if err := j.sync(); err != nil {
		return fmt.Errorf("journal %s: sync: %w", j.path, err)
	}
	j.dirty = false
	return nil
}

// Close closes the journal file. Further Appends fail with os.ErrClosed.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	return err
}

// TailBytes bounds Event.OutputTail.
const TailBytes = 2048

// Output returns the sha256 and tail of a command's output for a command
// event. Both are computed on the redacted output: a digest of the raw output
// would let anyone holding the record confirm a guessed secret.
func (r *Redactor) Output(out []byte) (sha string, tail string) {
	red := r.Bytes(out)
	sum := sha256.Sum256(red)
	if len(red) > TailBytes {
		red = red[len(red)-TailBytes:]
	}
	return hex.EncodeToString(sum[:]), string(red)
}
