package progress

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/runbook-dev/runbook/engine/record"
)

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// syncBuffer is a bytes.Buffer safe for the ticker goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// redraw draws a frame now, as the ticker would.
func (t *TTY) redraw() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draw()
}

func TestTTYBoardAndSummary(t *testing.T) {
	var out syncBuffer
	const width = 72
	r := NewTTY(&out, record.NewRedactor(testSecret), fixturePlan(),
		WithClock(fixedClock), WithWidth(width), WithInterval(time.Hour))
	events := fixtureEvents()
	// Up to sm-dal draining with one call left.
	for _, e := range events[:22] {
		r.Event(e)
	}
	r.redraw()
	first := out.String()
	for _, want := range []string{
		"core-to-10-2 CHG0031337", "smgr", "sm-dal", "sm-chi",
		"✓ smgr", "▶ sm-dal", "drain", "8.1.3.8→10.2.0.1", "1 active calls", "· sm-chi",
		"3/3 steps", "2/9 steps", "5/12 steps", "› sm-dal: 1 active calls, denying",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("board lacks %q:\n%s", want, first)
		}
	}
	for _, e := range events[22:] {
		r.Event(e)
	}
	r.SetOutcome(Outcome{Succeeded: []string{"smgr"}, Failed: []string{"sm-dal"}, RolledBack: []string{"sm-dal"}, Incomplete: []string{"sm-chi"}})
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	all := out.String()
	rest := all[len(first):]
	// The second frame starts by moving up over the first one.
	if !strings.HasPrefix(rest, "\x1b[") || !strings.Contains(rest[:10], "A") {
		t.Errorf("redraw does not move back over the board: %q", rest[:min(len(rest), 20)])
	}
	for _, want := range []string{"FAILED (20.0s): upgradeSM exited 1", "↺ sm-dal", "disk.space warn", "warning: cluster core halted"} {
		if !strings.Contains(rest, want) {
			t.Errorf("final output lacks %q:\n%s", want, rest)
		}
	}
	if strings.Contains(all, testSecret) {
		t.Error("the secret reached the terminal")
	}
	plain := ansi.ReplaceAllString(all, "")
	wantEnd := "run failed in 1m31s: 6 steps ok, 1 failed, 0 skipped; nodes: 1 succeeded, 0 failed, 1 rolled back, 1 incomplete [rolled back: sm-dal] [incomplete: sm-chi]\n"
	if !strings.HasSuffix(plain, wantEnd) {
		t.Errorf("output does not end with the summary:\n%s", plain[max(0, len(plain)-300):])
	}
	if !strings.HasSuffix(all, "\x1b[?25h"+wantEnd) {
		t.Error("the cursor is not shown again before the summary")
	}
	// Board lines never reach the width (a wrapped line breaks the redraw).
	for _, frame := range strings.Split(all, "\x1b[J")[1:] {
		for _, l := range strings.Split(ansi.ReplaceAllString(frame, ""), "\n") {
			if strings.HasPrefix(l, "  ") && utf8.RuneCountInString(l) >= width {
				t.Errorf("board line of %d columns: %q", utf8.RuneCountInString(l), l)
			}
		}
	}
}

func TestTTYTickerRedraws(t *testing.T) {
	var out syncBuffer
	r := NewTTY(&out, nil, fixturePlan(), WithInterval(time.Millisecond))
	defer r.Close()
	r.Event(record.Event{Type: record.EventStepStart, Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"})
	for !strings.Contains(out.String(), "▶ sm-dal") {
		time.Sleep(time.Millisecond) // the ticker, not Close, must draw it
	}
}

// TestForPicksTheBoardOnATerminal writes through a pty, as a user's terminal
// would see it: For must choose the live board and fit it to the pty's width.
func TestForPicksTheBoardOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 40, Cols: 50}); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the tty side closes
		got <- string(b)
	}()
	r := For(tty, nil, fixturePlan(), false, WithInterval(time.Hour), WithClock(fixedClock))
	board, ok := r.(*TTY)
	if !ok {
		t.Fatalf("For on a terminal returned %T", r)
	}
	if board.cfg.width != 50 {
		t.Errorf("width = %d, want the pty's 50", board.cfg.width)
	}
	for _, e := range fixtureEvents()[:22] {
		r.Event(e)
	}
	// A resized window: the next frame follows it.
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 40, Cols: 64}); err != nil {
		t.Fatal(err)
	}
	board.redraw()
	if board.cfg.width != 64 {
		t.Errorf("width after resize = %d, want 64", board.cfg.width)
	}
	for _, e := range fixtureEvents()[22:] {
		r.Event(e)
	}
	r.Close()
	tty.Close()
	s := <-got
	if !strings.Contains(s, "sm-dal") || !strings.Contains(s, "run failed") {
		t.Errorf("pty output:\n%s", s)
	}
	var buf bytes.Buffer
	if _, ok := For(&buf, nil, fixturePlan(), false).(*Plain); !ok {
		t.Error("For on a buffer is not plain")
	}
	if _, ok := For(os.Stdout, nil, nil, true).(*JSON); !ok {
		t.Error("For with json is not JSON")
	}
}

func TestTTYFitsTheScreenHeight(t *testing.T) {
	var out syncBuffer
	r := NewTTY(&out, nil, fixturePlan(), WithClock(fixedClock), WithHeight(7), WithInterval(time.Hour))
	for _, e := range fixtureEvents()[:22] {
		r.Event(e)
	}
	r.redraw()
	r.mu.Lock()
	h := r.height
	r.mu.Unlock()
	if h >= 7 {
		t.Errorf("board of %d lines on a 7-row screen", h)
	}
	s := out.String()
	if !strings.Contains(s, "▶ sm-dal") || strings.Contains(s, "· sm-chi") {
		t.Errorf("a cut board must keep the busy node and drop idle ones:\n%s", s)
	}
	r.Close()
}

func TestTTYRedactsBeforeCutting(t *testing.T) {
	var out syncBuffer
	r := NewTTY(&out, record.NewRedactor(testSecret), fixturePlan(), WithClock(fixedClock), WithWidth(40), WithInterval(time.Hour))
	r.Event(record.Event{Type: record.EventStepStart, Time: at(1), Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"})
	// The board cuts this line at 39 columns, in the middle of the secret.
	r.Event(record.Event{Type: eventProgress, Time: at(2), Step: "core/sm-dal/1/backup", Node: "sm-dal", Message: "login as opsuser with " + testSecret})
	r.redraw()
	r.Close()
	if s := out.String(); strings.Contains(s, testSecret[:5]) {
		t.Errorf("part of the secret reached the terminal:\n%s", s)
	}
}
