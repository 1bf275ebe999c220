package lab

import (
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
)

// StartWindowNow moves the manifest's maintenance window to start at now,
// keeping its length. A rehearsal happens now, not on the night of the
// change, so a lab run is never refused by today's date, while
// window.closed is still exercised: a window too short for the plan still
// refuses. Without a window it does nothing.
func StartWindowNow(cfg *eval.Config, now time.Time) {
	w := cfg.Runbook.Window
	if w == nil {
		return
	}
	length := w.End.Sub(w.Start)
	w.Start = now.UTC()
	w.End = w.Start.Add(length)
}
