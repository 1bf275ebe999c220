package progress

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// Renderer is what the CLI hands to the executor as its Observer (the
// method set of exec.Observer) and closes when the run has ended.
type Renderer interface {
	// Event renders one event. The executor calls it from one goroutine at a time.
	Event(e record.Event)
	// SetOutcome gives the run's final node lists (exec.Result), which the
	// summary prefers over what the events alone tell.
	SetOutcome(o Outcome)
	// Close stops any background drawing and writes the summary.
	Close() error
}

// Outcome is the run's final verdict per node, as the executor computed it.
type Outcome struct {
	Succeeded, Failed, RolledBack, Incomplete []string
}

// Option tunes a renderer.
type Option func(*config)

type config struct {
	now      func() time.Time
	width    int
	height   int // terminal rows; 0: unknown, the board is never cut
	interval time.Duration
	// size, when set, reads the terminal's size before each frame, so the
	// board follows a resized window without a signal handler.
	size func() (cols, rows int, err error)
}

func newConfig(opts []Option) config {
	c := config{now: time.Now, width: 80, interval: 100 * time.Millisecond}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithClock sets the clock used for events that carry no time and for the
// TTY's elapsed times, so tests are deterministic.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithWidth sets the terminal width the TTY renderer fits its lines to.
func WithWidth(cols int) Option {
	return func(c *config) {
		if cols > 0 {
			c.width = cols
		}
	}
}

// WithHeight sets the terminal's rows: a board taller than the screen
// cannot be redrawn in place (the cursor cannot move above the screen), so
// the TTY renderer then shows only the nodes that are doing something.
func WithHeight(rows int) Option {
	return func(c *config) {
		if rows > 0 {
			c.height = rows
		}
	}
}

// WithInterval sets how often the TTY renderer redraws (default 100ms, at
// most ten frames a second whatever the event rate).
func WithInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

func withSize(f func() (int, int, error)) Option {
	return func(c *config) { c.size = f }
}

// For chooses the renderer apply uses: JSON when asked, the live board when
// w is a terminal, plain lines otherwise.
func For(w io.Writer, red *record.Redactor, p *plan.Plan, asJSON bool, opts ...Option) Renderer {
	if asJSON {
		return NewJSON(w, red, opts...)
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fd := int(f.Fd())
		if cols, rows, err := term.GetSize(fd); err == nil && cols > 0 {
			opts = append([]Option{WithWidth(cols), WithHeight(rows)}, opts...)
		}
		opts = append([]Option{withSize(func() (int, int, error) { return term.GetSize(fd) })}, opts...)
		return NewTTY(w, red, p, opts...)
	}
	return NewPlain(w, red, opts...)
}
