package progress

import (
	"fmt"
	"github.com/runbook-dev/runbook/internal/rollout"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ANSI sequences the board uses: nothing beyond what every terminal and pty
// understands (cursor up, clear line, clear to end of screen, cursor
// visibility).
const (
	hideCursor = "\x1b[?25l"
	showCursor = "\x1b[?25h"
	clearDown  = "\x1b[J"
)

var glyphs = map[string]string{
	"pending": "·", "running": "▶", "waiting": "…", "ok": "✓",
	"failed": "✗", "rolled_back": "↺", "interrupted": "!",
}

// draw moves the cursor back to the top of the previous board, prints the
// queued log lines (they scroll away with the terminal's history) and the
// board again. Board lines are cut to the width so none wraps: a wrapped
// line would make the next cursor-up land in the wrong place.
func (t *TTY) draw() {
	if t.cfg.size != nil {
		if cols, rows, err := t.cfg.size(); err == nil && cols > 0 {
			t.cfg.width, t.cfg.height = cols, rows
		}
	}
	var b strings.Builder
	if t.height > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", t.height)
	} else {
		b.WriteString(hideCursor)
	}
	b.WriteString("\r" + clearDown)
	for _, l := range t.logs {
		b.WriteString(l + "\n")
	}
	t.logs = nil
	lines := t.frame()
	for _, l := range lines {
		b.WriteString(fit(l, t.cfg.width-1) + "\n")
	}
	t.height = len(lines)
	t.dirty = false
	io.WriteString(t.w, t.red.String(b.String()))
}

// frame renders the board, cut to the screen's height when known: first
// idle nodes (pending, done) are left out, then the node lines that still do
// not fit are counted in a "… more" line. Cluster bars always show.
func (t *TTY) frame() []string {
	lines := t.fullFrame(false)
	if t.cfg.height <= 0 || len(lines) < t.cfg.height {
		return lines
	}
	lines = t.fullFrame(true)
	if room := t.cfg.height - 1; len(lines) > room && room >= 3 {
		cut := len(lines) - room + 1
		lines = append(append(lines[:room-2:room-2], fmt.Sprintf("  … %d more lines", cut)), lines[len(lines)-1])
	}
	return lines
}

// fullFrame renders every line of the board; busyOnly leaves out the nodes
// that are pending or done.
func (t *TTY) fullFrame(busyOnly bool) []string {
	now := t.cfg.now()
	var lines []string
	head := "runbook"
	if t.p != nil {
		head = join(head, t.p.Runbook, t.p.ChangeID)
	}
	if !t.started.IsZero() {
		end := now
		if t.tally.status != "" { // the run ended: the clock stops
			end = t.tally.last
		}
		head += " · " + clock(end.Sub(t.started))
	}
	lines = append(lines, head)
	nameW, phaseW, hopW := 4, 7, 0
	for _, r := range t.nodes {
		nameW = max(nameW, utf8.RuneCountInString(r.name))
		phaseW = max(phaseW, utf8.RuneCountInString(r.phase))
		hopW = max(hopW, utf8.RuneCountInString(r.hop))
	}
	labelW := 7
	for _, c := range t.clusters {
		labelW = max(labelW, utf8.RuneCountInString(c.name))
	}
	var total, ended int
	for _, c := range t.clusters {
		total += c.total
		ended += c.ended
		name := c.name
		if name == "" {
			name = "other"
		}
		lines = append(lines, fmt.Sprintf("%-*s %s", labelW, name, t.bar(c.ended, c.total)))
		for _, r := range c.nodes {
			if busyOnly && (r.status == "pending" || r.status == "ok") {
				continue
			}
			lines = append(lines, t.nodeLine(r, now.Sub(r.stepStart), nameW, phaseW, hopW)...)
		}
	}
	lines = append(lines, fmt.Sprintf("%-*s %s", labelW, "overall", t.bar(ended, total)))
	return lines
}

// bar is a progress bar with its count of steps done.
func (t *TTY) bar(done, total int) string {
	w := min(30, max(10, t.cfg.width/4))
	fill := 0
	if total > 0 {
		fill = min(w, done*w/total)
	}
	return fmt.Sprintf("[%s%s] %d/%d steps", strings.Repeat("█", fill), strings.Repeat("░", w-fill), done, total)
}

// nodeLine renders a node's row, and under a running step its last output line.
func (t *TTY) nodeLine(r *nodeRow, elapsed time.Duration, nameW, phaseW, hopW int) []string {
	phase, detail := r.phase, ""
	switch r.status {
	case "pending":
		phase = "pending"
	case "running":
		detail = clock(elapsed)
		if r.hasCalls && r.phase == string(rollout.PhaseDrain) {
			detail += fmt.Sprintf("  %d active calls", r.calls)
		}
	case "waiting":
		detail = fmt.Sprintf("%d/%d steps", r.ended, r.total)
	case "ok":
		phase = "done"
	case "failed":
		detail = "FAILED"
	case "rolled_back":
		detail = "rolled back"
	case "interrupted":
		detail = "interrupted"
	}
	line := fmt.Sprintf("  %s %-*s  %-*s  %-*s  %s", glyphs[r.status], nameW, r.name, phaseW, phase, hopW, r.hop, detail)
	out := []string{strings.TrimRight(line, " ")}
	if r.status == "running" && r.last != "" {
		out = append(out, "      › "+oneLine(r.last))
	}
	return out
}
