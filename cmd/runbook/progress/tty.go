package progress

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// TTY is the live board for a terminal: one line per node (phase, hop,
// elapsed time, active calls while draining, a status glyph), the current
// step's last output line, a progress bar per cluster and overall. A ticker
// redraws it in place (at most every interval, ten times a second by
// default); failures, guard refusals and warnings are printed above it, where
// they stay in the scrollback. Close draws the final board and a summary.
type TTY struct {
	w   io.Writer
	red *record.Redactor
	cfg config
	p   *plan.Plan

	mu       sync.Mutex
	clusters []*clusterRow
	nodes    map[string]*nodeRow
	stepNode map[string]string // step id -> node
	tally    *tally
	logs     []string // lines to print above the board at the next draw
	height   int      // lines of the board on screen
	dirty    bool
	closed   bool
	started  time.Time

	stop chan struct{}
	done chan struct{}
}

type clusterRow struct {
	name         string
	nodes        []*nodeRow
	total, ended int
}

type nodeRow struct {
	name, kind   string
	phase, step  string
	hop          string
	stepStart    time.Time
	calls        int
	hasCalls     bool
	status       string // pending, running, waiting, ok, failed, rolled_back, interrupted
	last         string // the current step's last output line
	total, ended int
}

// NewTTY returns the live board for plan p, drawing to w through red. It
// starts its redraw ticker at once; Close stops it.
func NewTTY(w io.Writer, red *record.Redactor, p *plan.Plan, opts ...Option) *TTY {
	t := &TTY{w: w, red: red, cfg: newConfig(opts), p: p, nodes: map[string]*nodeRow{},
		stepNode: map[string]string{}, tally: newTally(), stop: make(chan struct{}), done: make(chan struct{})}
	t.layout()
	go t.loop()
	return t
}

// layout builds the rows from the plan: clusters in the order their first
// node appears, nodes in plan order, step counts from the plan's steps.
func (t *TTY) layout() {
	if t.p == nil {
		return
	}
	byName := map[string]*clusterRow{}
	for _, n := range t.p.Nodes {
		c := byName[n.Cluster]
		if c == nil {
			c = &clusterRow{name: n.Cluster}
			byName[n.Cluster] = c
			t.clusters = append(t.clusters, c)
		}
		row := &nodeRow{name: n.Name, kind: string(n.Kind), status: "pending"}
		c.nodes = append(c.nodes, row)
		t.nodes[n.Name] = row
		t.tally.seed([]string{n.Name})
	}
	for _, s := range t.p.Steps {
		t.stepNode[s.ID] = s.Node
		if row := t.nodes[s.Node]; row != nil {
			row.total++
		}
		if c := byName[s.Cluster]; c != nil {
			c.total++
		} else if row := t.nodes[s.Node]; row != nil {
			t.clusterOf(row).total++
		}
	}
}

func (t *TTY) clusterOf(row *nodeRow) *clusterRow {
	for _, c := range t.clusters {
		for _, n := range c.nodes {
			if n == row {
				return c
			}
		}
	}
	return nil
}

// row returns the node's row, adding one (in an "other" cluster) for a node
// the plan did not list.
func (t *TTY) row(name string) *nodeRow {
	if name == "" {
		return nil
	}
	if r := t.nodes[name]; r != nil {
		return r
	}
	r := &nodeRow{name: name, status: "pending"}
	t.nodes[name] = r
	var other *clusterRow
	for _, c := range t.clusters {
		if c.name == "" {
			other = c
		}
	}
	if other == nil {
		other = &clusterRow{}
		t.clusters = append(t.clusters, other)
	}
	other.nodes = append(other.nodes, r)
	return r
}

// Event updates the board; lines worth keeping go above it at the next draw.
func (t *TTY) Event(e record.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Time.IsZero() {
		e.Time = t.cfg.now()
	}
	// Redact before anything is cut to the screen's width: a secret cut in
	// half would no longer be recognised when the frame is written.
	e.Message, e.Command, e.OutputTail = t.red.String(e.Message), t.red.String(e.Command), t.red.String(e.OutputTail)
	if t.started.IsZero() {
		t.started = e.Time
	}
	t.tally.add(e)
	t.dirty = true
	r := t.row(e.Node)
	switch e.Type {
	case record.EventStepStart:
		if r != nil {
			r.status, r.phase, r.step, r.stepStart, r.last = "running", e.Phase, e.Step, e.Time, ""
			r.hop, r.hasCalls = t.hopOf(e.Step), false
		}
	case record.EventCommand:
		if e.Status == record.CommandNotExecuted {
			// Kept in the log: the rehearsal did not run this step's command.
			t.log(e)
		}
		if r != nil && e.Status != statusReadOnly {
			if l := lastLine(e.OutputTail); l != "" {
				r.last = l
			} else if e.Status == record.StepSkipped || e.Status == record.CommandNotExecuted {
				r.last = commandText(e)
			}
		}
	case eventProgress:
		if r != nil {
			if n, ok := activeCalls(e.Message); ok {
				r.calls, r.hasCalls = n, true
			}
			r.last = e.Message
		}
	case record.EventStepEnd:
		t.stepEnded(r, e)
	case record.EventRollback:
		if r != nil {
			r.status = "rolled_back"
		}
		t.log(e)
	case record.EventGuard:
		if e.Verdict == record.VerdictFail || e.Verdict == record.VerdictWarn {
			t.log(e)
		}
	case record.EventWarning, record.EventInterrupted, record.EventRunEnd:
		t.log(e)
	}
}

func (t *TTY) stepEnded(r *nodeRow, e record.Event) {
	if e.Status != record.StepOK && e.Status != record.StepSkipped {
		t.log(e)
	}
	if r == nil {
		return
	}
	r.ended++
	for _, c := range t.clusters {
		if slicesContains(c.nodes, r) {
			c.ended++
		}
	}
	switch {
	case e.Status == record.StepFailed:
		r.status = "failed"
	case e.Status == record.StepInterrupted:
		r.status = "interrupted"
	case r.status == "failed" || r.status == "rolled_back":
	case r.total > 0 && r.ended >= r.total:
		r.status = "ok"
	default:
		r.status = "waiting"
	}
	r.hasCalls = false
}

// log queues an event's plain line above the board.
func (t *TTY) log(e record.Event) {
	if text := plainText(e); text != "" {
		t.logs = append(t.logs, e.Time.UTC().Format("15:04:05")+" "+oneLine(text))
	}
}

// hopOf prints a step's hop as from→to.
func (t *TTY) hopOf(id string) string {
	if t.p == nil {
		return ""
	}
	s := t.p.StepByID(id)
	switch {
	case s == nil || s.Hop.From == "":
		return ""
	case s.Hop.From == s.Hop.To:
		return "SSP on " + s.Hop.From
	}
	return s.Hop.From + "→" + s.Hop.To
}

// activeCalls reads the call count from a drain progress message
// ("sm-dal: 12 active calls, denying").
func activeCalls(msg string) (int, bool) {
	i := strings.Index(msg, " active calls")
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(msg[:i])
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(f[len(f)-1])
	return n, err == nil
}

func slicesContains(rows []*nodeRow, r *nodeRow) bool {
	for _, x := range rows {
		if x == r {
			return true
		}
	}
	return false
}

// SetOutcome records the executor's final node lists for the summary.
func (t *TTY) SetOutcome(o Outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tally.outcome = &o
}

// loop redraws at most once per interval while something changed or a step
// is running (its elapsed time moves).
func (t *TTY) loop() {
	defer close(t.done)
	tick := time.NewTicker(t.cfg.interval)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			t.mu.Lock()
			if t.dirty || t.running() {
				t.draw()
			}
			t.mu.Unlock()
		}
	}
}

func (t *TTY) running() bool {
	for _, r := range t.nodes {
		if r.status == "running" {
			return true
		}
	}
	return false
}

// Close stops the ticker, draws the final board and writes the summary.
func (t *TTY) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draw()
	_, err := io.WriteString(t.w, t.red.String(showCursor+t.tally.summary().String()+"\n"))
	return err
}
