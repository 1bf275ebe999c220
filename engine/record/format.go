package record

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/modules/facts"
)

// factRow is one line of a node's before/after facts table.
type factRow struct{ name, before, after string }

// factRows flattens a node's facts into rows shared by record.md and show.
func factRows(n NodeRecord) []factRow {
	b, a := factValues(n.FactsBefore), factValues(n.FactsAfter)
	var rows []factRow
	for i, name := range factNames {
		rows = append(rows, factRow{name, b[i], a[i]})
	}
	return rows
}

var factNames = []string{"release", "ssp", "service_state", "active_calls", "services", "disk_free_mb", "uds_backup", "users", "data_digest", "clock"}

func factValues(f *facts.Facts) []string {
	out := make([]string, len(factNames))
	if f == nil {
		for i := range out {
			out[i] = "-"
		}
		return out
	}
	ssp := "-"
	if f.SSP >= 0 {
		ssp = fmt.Sprint(f.SSP)
	}
	clock := "-"
	if !f.Clock.IsZero() {
		clock = f.Clock.UTC().Format(time.RFC3339)
	}
	out[0], out[1], out[2] = dash(f.Release), ssp, dash(f.ServiceState)
	out[3] = fmt.Sprint(f.ActiveCalls)
	out[4] = services(f.Services)
	out[5] = disks(f.DiskFreeMB)
	out[6], out[7], out[8], out[9] = dash(f.UDSBackup), fmt.Sprint(f.Users), dash(short(f.DataDigest, 12)), clock
	return out
}

// services summarises services as "up/total", naming the ones down.
func services(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	var down []string
	for name, st := range m {
		if st != "up" {
			down = append(down, name)
		}
	}
	sort.Strings(down)
	s := fmt.Sprintf("%d/%d up", len(m)-len(down), len(m))
	if len(down) > 0 {
		s += " (down: " + strings.Join(down, ", ") + ")"
	}
	return s
}

func disks(m map[string]int64) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// fmtDur prints a duration in milliseconds the way an operator reads it.
func fmtDur(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", ms)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

// fmtTime prints a timestamp in UTC, "-" when unknown.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// stepDur prints a step's duration, "-" for a step that never ran.
func stepDur(s StepRecord) string {
	if s.DurationMS == 0 && s.Start.IsZero() {
		return "-"
	}
	return fmtDur(s.DurationMS)
}

// hasFacts reports whether any facts were gathered on the node.
func (n NodeRecord) hasFacts() bool { return n.FactsBefore != nil || n.FactsAfter != nil }

func exitStr(c *int) string {
	if c == nil {
		return "-"
	}
	return fmt.Sprint(*c)
}

// failures returns the steps that failed or were interrupted.
func (r *Run) failures() []StepRecord {
	var out []StepRecord
	for _, s := range r.Steps {
		if s.Status == StepFailed || s.Status == StepInterrupted {
			out = append(out, s)
		}
	}
	return out
}

// oneLine folds a multi-line message for table cells.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
