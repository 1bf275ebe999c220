package record

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules/facts"
)

// File names inside a record folder.
const (
	PlanFile     = "plan.json"
	RecordJSON   = "record.json"
	RecordMD     = "record.md"
	FormatV      = "1"
	ModeApply    = "apply"
	ModeDryRun   = "dry-run"
	ModeLab      = "lab" // an apply against the built-in lab: no real node was touched
	stampLayout  = "20060102T150405Z"
	noChangeName = "unnamed"
)

// Run statuses.
const (
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
	RunRefused     = "refused"
	// RunIncomplete is what a record rebuilt from a journal says when the run
	// neither ended nor recorded an interruption (killed with SIGKILL, power loss).
	RunIncomplete = "incomplete"
)

// Step statuses.
const (
	StepOK         = "ok"
	StepFailed     = "failed"
	StepSkipped    = "skipped"
	StepNotRun     = "not_run"
	StepRolledBack = "rolled_back"
	// StepInterrupted marks a step the journal shows started and never ended.
	StepInterrupted = "interrupted"
)

// CommandNotExecuted is the status of a command event whose command a
// simulated node (the lab) did not model and so ran nowhere.
const CommandNotExecuted = "not_executed"

// Guard verdicts.
const (
	VerdictPass    = "pass"
	VerdictFail    = "fail"
	VerdictWarn    = "warn"
	VerdictUnknown = "unknown"
)

// Run is the change record of one apply or dry-run: what record.json holds
// and what record.md and `runbook show` render. The executor fills it.
type Run struct {
	FormatVersion  string           `json:"format_version"`
	ChangeID       string           `json:"change_id"`
	Runbook        string           `json:"runbook"`
	Mode           string           `json:"mode"` // apply | dry-run | lab
	Who            string           `json:"who"`  // user@host
	Started        time.Time        `json:"started"`
	Ended          time.Time        `json:"ended,omitzero"`
	Status         string           `json:"status"` // succeeded | failed | interrupted | refused
	ManifestSHA256 string           `json:"manifest_sha256"`
	PlanSHA256     string           `json:"plan_sha256"`
	Nodes          []NodeRecord     `json:"nodes"`
	Steps          []StepRecord     `json:"steps"`
	Guards         []GuardVerdict   `json:"guards"`
	Rollback       []RollbackAction `json:"rollback"`
	Errors         []string         `json:"errors"`
	// Reconstructed is set when the record was rebuilt from plan.json and the
	// journal because the run never wrote record.json.
	Reconstructed bool `json:"reconstructed,omitempty"`

	stepAt map[string]int // Steps' index by ID, for step (fold.go)
}

// NodeRecord is one node in the run, with its facts before and after.
type NodeRecord struct {
	Name        string       `json:"name"`
	Kind        string       `json:"kind"`
	Cluster     string       `json:"cluster"`
	Host        string       `json:"host"`
	Release     string       `json:"release"` // declared release
	Target      string       `json:"target"`
	FactsBefore *facts.Facts `json:"facts_before,omitempty"`
	FactsAfter  *facts.Facts `json:"facts_after,omitempty"`
}

// StepRecord is the outcome of one plan step.
type StepRecord struct {
	ID         string    `json:"id"`
	Node       string    `json:"node"`
	Phase      string    `json:"phase"`
	Hop        plan.Hop  `json:"hop"`
	Status     string    `json:"status"` // ok | failed | skipped | not_run | rolled_back | interrupted
	Start      time.Time `json:"start,omitzero"`
	DurationMS int64     `json:"duration_ms"`
	ExitCode   *int      `json:"exit_code,omitempty"`
	Summary    string    `json:"summary,omitempty"`
	Error      string    `json:"error,omitempty"`
	// Commands are the command lines the step ran (or, in a dry run, would
	// have run), in order, as the journal's command events give them.
	Commands []string `json:"commands,omitempty"`
}

// GuardVerdict is one runtime (or re-checked static) guard evaluation.
type GuardVerdict struct {
	ID      string `json:"id"` // stable guard id, e.g. calls.active
	Node    string `json:"node,omitempty"`
	Step    string `json:"step,omitempty"`
	Verdict string `json:"verdict"` // pass | fail | warn | unknown
	Message string `json:"message,omitempty"`
}

// RollbackAction is one thing the run did to put a node back: the failure
// policy after a failure, or the undrain ending a user step's drain.
type RollbackAction struct {
	Time    time.Time `json:"time,omitzero"`
	Node    string    `json:"node"`
	Step    string    `json:"step,omitempty"`
	Action  string    `json:"action"` // restore | verify | undrain …
	Status  string    `json:"status"` // ok | failed
	Message string    `json:"message,omitempty"`
}

// Duration is Ended-Started, zero while the run has not ended.
func (r *Run) Duration() time.Duration {
	if r.Ended.IsZero() || r.Started.IsZero() {
		return 0
	}
	return r.Ended.Sub(r.Started)
}

// InvalidNameError reports a change id or mode that cannot name a folder.
type InvalidNameError struct {
	What, Value string
}

func (e *InvalidNameError) Error() string {
	return fmt.Sprintf("invalid %s %q for a record folder", e.What, e.Value)
}

// ChangeDir returns root/<changeID>, the folder that holds the change's runs
// and its lock. An empty change id (plan and dry-run do not need one) maps to
// "unnamed".
func ChangeDir(root, changeID string) (string, error) {
	if changeID == "" {
		changeID = noChangeName
	}
	if changeID == "." || changeID == ".." || strings.ContainsAny(changeID, `/\`+"\x00") {
		return "", &InvalidNameError{What: "change id", Value: changeID}
	}
	return filepath.Join(root, changeID), nil
}

// NewRecordDir creates root/<changeID>/<UTC YYYYMMDDTHHMMSSZ>-<mode>/ (0700)
// and returns it. Two runs started within one second get distinct folders: the
// second gets a "-2" suffix, and so on.
func NewRecordDir(root, changeID, mode string, now time.Time) (string, error) {
	if mode != ModeApply && mode != ModeDryRun && mode != ModeLab {
		return "", &InvalidNameError{What: "mode", Value: mode}
	}
	cdir, err := ChangeDir(root, changeID)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cdir, 0o700); err != nil {
		return "", err
	}
	base := now.UTC().Format(stampLayout) + "-" + mode
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		dir := filepath.Join(cdir, name)
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			return dir, os.Chmod(dir, 0o700) // umask may have narrowed nothing, but be exact
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("record folder %s: too many runs in one second", base)
}

// WritePlan writes plan.json (0600), redacted, and returns the sha256 of the
// bytes written, for Run.PlanSHA256.
func WritePlan(dir string, p *plan.Plan, r *Redactor) (string, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", r.Err(err)
	}
	b = append(r.JSON(b), '\n')
	if err := writeFile(filepath.Join(dir, PlanFile), b); err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// WriteJSON writes record.json (0600), redacted.
func WriteJSON(dir string, run *Run, r *Redactor) error {
	if run.FormatVersion == "" {
		run.FormatVersion = FormatV
	}
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return r.Err(err)
	}
	return writeFile(filepath.Join(dir, RecordJSON), append(r.JSON(b), '\n'))
}

// Write writes record.json and record.md. p draws the Mermaid diagram; nil
// leaves it out.
func Write(dir string, run *Run, p *plan.Plan, r *Redactor) error {
	if err := WriteJSON(dir, run, r); err != nil {
		return err
	}
	return WriteMarkdown(dir, run, p, r)
}

// writeFile writes data 0600 through a temporary file and a rename, so a
// reader never sees half a record, and fsyncs it.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
