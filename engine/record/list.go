package record

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"
	"time"
)

// Summary is one line of `runbook records`.
type Summary struct {
	Change   string        `json:"change"`
	Mode     string        `json:"mode"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration"`
	Status   string        `json:"status"`
	Nodes    int           `json:"nodes"`
	Dir      string        `json:"dir"`
}

// StatusUnreadable marks a run folder whose files could not be read at all.
const StatusUnreadable = "unreadable"

// List returns every run under root (root/<change>/<run>/), newest first.
// A run without record.json (killed) is summarised from its plan and
// journal; a folder named like a run but empty or unreadable is listed as
// incomplete or unreadable; anything else (stray files, foreign folders,
// the lock) is ignored. A missing root is an empty list.
func List(root string) ([]Summary, error) {
	changes, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, c := range changes {
		if !c.IsDir() {
			continue
		}
		runs, err := os.ReadDir(filepath.Join(root, c.Name()))
		if err != nil {
			continue
		}
		for _, r := range runs {
			if !r.IsDir() {
				continue
			}
			if s, ok := summarise(filepath.Join(root, c.Name(), r.Name()), c.Name()); ok {
				out = append(out, s)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.After(out[j].Start)
		}
		return out[i].Dir > out[j].Dir
	})
	return out, nil
}

func summarise(dir, change string) (Summary, bool) {
	mode, started := parseRunName(filepath.Base(dir))
	s := Summary{Change: change, Mode: mode, Start: started, Dir: dir}
	run, _, err := Load(dir)
	if err != nil {
		if mode == "" {
			return s, false // not a run folder
		}
		s.Status = RunIncomplete
		if _, ok := err.(*NotRecordError); !ok {
			s.Status = StatusUnreadable
		}
		return s, true
	}
	setIf(&s.Mode, run.Mode)
	if !run.Started.IsZero() {
		s.Start = run.Started
	}
	s.Duration, s.Status, s.Nodes = run.Duration(), run.Status, len(run.Nodes)
	return s, true
}

// RenderList prints summaries as an aligned table.
func RenderList(w io.Writer, list []Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tMODE\tSTARTED\tDURATION\tSTATUS\tNODES\tRECORD")
	for _, s := range list {
		dur := "-"
		if s.Duration > 0 {
			dur = fmtDur(s.Duration.Milliseconds())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Change, dash(s.Mode), fmtTime(s.Start), dur, s.Status, s.Nodes, s.Dir)
	}
	return tw.Flush()
}
