package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
)

// NotRecordError says a folder holds none of a record's files.
type NotRecordError struct{ Dir string }

func (e *NotRecordError) Error() string {
	return fmt.Sprintf("%s is not a change record (no record.json, plan.json or journal.jsonl)", e.Dir)
}

// Load reads a record folder. It prefers record.json; when a killed run left
// none (or left it unreadable), it rebuilds what it can from plan.json and
// journal.jsonl and sets Run.Reconstructed. The plan is nil when plan.json is
// absent or unreadable.
func Load(dir string) (*Run, *plan.Plan, error) {
	p, planErr := readPlan(dir)
	var recErr error
	if b, err := os.ReadFile(filepath.Join(dir, RecordJSON)); err == nil {
		var run Run
		if recErr = json.Unmarshal(b, &run); recErr == nil && run.Status != "" {
			return &run, p, nil
		}
		recErr = fmt.Errorf("%s: unreadable record", filepath.Join(dir, RecordJSON))
	}
	events, jerr := ReadJournal(filepath.Join(dir, JournalFile))
	var corrupt *CorruptJournalError
	if jerr != nil && !errors.Is(jerr, os.ErrNotExist) && !errors.As(jerr, &corrupt) {
		return nil, p, jerr
	}
	if p == nil && len(events) == 0 {
		if recErr != nil {
			return nil, nil, recErr
		}
		if planErr != nil && !errors.Is(planErr, os.ErrNotExist) {
			return nil, nil, planErr
		}
		return nil, nil, &NotRecordError{Dir: dir}
	}
	mode, started := parseRunName(filepath.Base(dir))
	run := NewRun(p, mode, "", started)
	for _, e := range events {
		run.Apply(e)
	}
	run.Reconstructed = true
	if run.Status == "" {
		run.Status = RunIncomplete
	}
	for i := range run.Steps {
		if run.Steps[i].Status == StepRunning {
			run.Steps[i].Status = StepInterrupted
		}
	}
	if run.Ended.IsZero() && len(events) > 0 {
		run.Ended = events[len(events)-1].Time.UTC()
	}
	if corrupt != nil {
		run.Errors = append(run.Errors, corrupt.Error())
	}
	return run, p, nil
}

func readPlan(dir string) (*plan.Plan, error) {
	b, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		return nil, err
	}
	var p plan.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PlanFile), err)
	}
	return &p, nil
}

// parseRunName reads "<YYYYMMDDTHHMMSSZ>-<mode>[-N]"; zero values when the
// name is not one NewRecordDir makes.
func parseRunName(name string) (mode string, started time.Time) {
	if len(name) < len(stampLayout)+2 || name[len(stampLayout)] != '-' {
		return "", time.Time{}
	}
	t, err := time.Parse(stampLayout, name[:len(stampLayout)])
	if err != nil {
		return "", time.Time{}
	}
	rest := name[len(stampLayout)+1:]
	for _, m := range []string{ModeDryRun, ModeApply, ModeLab} {
		if rest == m || strings.HasPrefix(rest, m+"-") {
			return m, t.UTC()
		}
	}
	return "", time.Time{}
}
