package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// CorruptJournalError reports journal lines that are not JSON events, other
// than a torn last line (which a crash mid-write leaves and which is silently
// dropped). ReadJournal returns it together with every event it could read.
type CorruptJournalError struct {
	Path  string
	Lines []int // 1-based
}

func (e *CorruptJournalError) Error() string {
	return fmt.Sprintf("journal %s: unreadable lines %v", e.Path, e.Lines)
}

// ReadJournal reads every event of a journal. A last line cut short by a kill
// during a write is ignored. Other unreadable lines are skipped and reported
// by a *CorruptJournalError returned along with the events read.
func ReadJournal(path string) ([]Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(data, []byte{'\n'})
	var events []Event
	var bad []int
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(line, &e); err != nil || e.Type == "" {
			if i == len(lines)-1 {
				continue // torn last line: no newline was ever written after it
			}
			bad = append(bad, i+1)
			continue
		}
		events = append(events, e)
	}
	if len(bad) > 0 {
		return events, &CorruptJournalError{Path: path, Lines: bad}
	}
	return events, nil
}

// CompletedSteps returns, in completion order, the steps whose last word in
// the events is a successful step_end. A step started again and not ended,
// ended otherwise, or rolled back (a step_end with status rolled_back, or a
// rollback event on its node) no longer counts: --resume must run it again.
func CompletedSteps(events []Event) []string {
	done := map[string]bool{}
	node := map[string]string{}
	var order []string
	for _, e := range events {
		switch e.Type {
		case EventStepStart:
			delete(done, e.Step)
		case EventStepEnd:
			if e.Status == StepOK {
				done[e.Step] = true
				node[e.Step] = e.Node
				order = append(order, e.Step)
			} else {
				delete(done, e.Step)
			}
		case EventRollback:
			if e.Step != "" && e.Node == "" {
				delete(done, e.Step)
			}
			if e.Node != "" {
				for s := range done {
					if node[s] == e.Node {
						delete(done, s)
					}
				}
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for i := len(order) - 1; i >= 0; i-- { // last completion wins the position
		s := order[i]
		if done[s] && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
