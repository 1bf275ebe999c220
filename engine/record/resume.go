package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// NothingToResumeError says the change has no unfinished apply to continue.
type NothingToResumeError struct {
	ChangeDir string
	Last      string // status of the newest run of the mode, "" when there is none
	Mode      string // ModeApply or ModeLab; "" reads as ModeApply
}

func (e *NothingToResumeError) Error() string {
	mode := e.Mode
	if mode == "" {
		mode = ModeApply
	}
	if e.Last == "" {
		return fmt.Sprintf("nothing to resume: no %s run under %s", mode, e.ChangeDir)
	}
	return fmt.Sprintf("nothing to resume: the last %s run under %s %s", mode, e.ChangeDir, e.Last)
}

// Resume is what `apply --resume` needs from earlier runs of a change.
type Resume struct {
	// Dir is the newest apply run, the one being continued.
	Dir string
	// PlanSHA256 is that run's plan hash; the executor refuses to resume
	// with a different plan.
	PlanSHA256 string
	// Completed lists the steps completed OK (CompletedSteps) over the chain
	// of consecutive unfinished apply runs of the same plan that ends with
	// Dir, so a resume of a resume still skips what the first run did.
	Completed []string
	// Events are the journals of that chain, oldest run first: what the
	// executor needs to know about each earlier step (a backup's archive,
	// say) when it resumes.
	Events []Event
}

// LastUnfinished finds the newest apply run under changeDir
// (records/<change_id>) and, when it did not succeed (interrupted, killed or
// failed) and was not refused, returns what resuming it needs. Otherwise it
// returns a *NothingToResumeError. A run folder holding no file at all (the
// run died right after creating it) is passed over.
func LastUnfinished(changeDir string) (*Resume, error) {
	return LastUnfinishedOf(changeDir, ModeApply)
}

// LastUnfinishedOf is LastUnfinished over the runs of one mode: a real apply
// resumes only real applies, a lab run only lab runs, so that a rehearsal's
// journal never tells a real run which steps are done.
func LastUnfinishedOf(changeDir, mode string) (*Resume, error) {
	entries, err := os.ReadDir(changeDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if m, _ := parseRunName(e.Name()); e.IsDir() && m == mode {
			names = append(names, e.Name())
		}
	}
	sort.Sort(sort.Reverse(runNames(names)))
	var chain [][]Event
	res := &Resume{}
	for _, name := range names {
		dir := filepath.Join(changeDir, name)
		first := res.Dir == ""
		run, _, err := Load(dir)
		var nr *NotRecordError
		if errors.As(err, &nr) {
			continue // died before writing anything: nothing of it to resume
		}
		if err != nil {
			if first {
				return nil, err
			}
			break
		}
		if !unfinished(run.Status) {
			if first {
				return nil, &NothingToResumeError{ChangeDir: changeDir, Last: run.Status, Mode: mode}
			}
			break
		}
		if first {
			res.Dir, res.PlanSHA256 = dir, run.PlanSHA256
		} else if run.PlanSHA256 != res.PlanSHA256 {
			break
		}
		events, _ := ReadJournal(filepath.Join(dir, JournalFile))
		chain = append(chain, events)
	}
	if res.Dir == "" {
		return nil, &NothingToResumeError{ChangeDir: changeDir, Mode: mode}
	}
	var all []Event
	for i := len(chain) - 1; i >= 0; i-- { // oldest run first
		all = append(all, chain[i]...)
	}
	res.Completed = CompletedSteps(all)
	res.Events = all
	return res, nil
}

func unfinished(status string) bool {
	return status == RunInterrupted || status == RunIncomplete || status == RunFailed
}

// runNames orders run folder names by time, then by their "-N" suffix as a
// number (so "-10" sorts after "-9").
type runNames []string

func (n runNames) Len() int      { return len(n) }
func (n runNames) Swap(i, j int) { n[i], n[j] = n[j], n[i] }
func (n runNames) Less(i, j int) bool {
	if len(n[i]) != len(n[j]) && n[i][:len(stampLayout)] == n[j][:len(stampLayout)] {
		return len(n[i]) < len(n[j])
	}
	return n[i] < n[j]
}
