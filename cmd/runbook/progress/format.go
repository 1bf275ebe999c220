package progress

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/runbook-dev/runbook/modules/facts"
)

// fmtDuration prints 850ms, 4.2s, 1m31s, 2h05m.
func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// clock prints an elapsed time as mm:ss (h:mm:ss past an hour).
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r", ""))
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " | ")), " ")
}

// lastLine returns the last non-empty line of an output tail.
func lastLine(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

// fit truncates s to width runes, marking the cut with an ellipsis.
func fit(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	r := []rune(s)
	if width == 1 {
		return "…"
	}
	return string(r[:width-1]) + "…"
}

// factsLine summarises a facts event's value (facts.Facts or its JSON form).
func factsLine(v any) string {
	f := facts.From(v)
	if f == nil {
		return ""
	}
	parts := []string{"release " + f.Release}
	if f.SSP >= 0 {
		parts = append(parts, fmt.Sprintf("SSP %d", f.SSP))
	}
	if f.ServiceState != "" {
		parts = append(parts, f.ServiceState)
	}
	parts = append(parts, fmt.Sprintf("%d active calls", f.ActiveCalls), fmt.Sprintf("%d users", f.Users))
	return strings.Join(parts, ", ")
}

// eventProgress is the executor's progress event type (exec.EventProgress):
// a line for humans (active calls while draining, reconnect attempts), not a
// state change. It is repeated here so that the renderers do not depend on
// the executor's package.
const eventProgress = "progress"

// statusReadOnly is the status the executor gives a command event of a
// command marked read-only.
const statusReadOnly = "read_only"

// statusRebooted is the status the executor gives the command event of an
// installer whose connection closed as the node rebooted, which an install
// is expected to do (exec.StatusRebooted). Its message is not an error.
const statusRebooted = "rebooted"
