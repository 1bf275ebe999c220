package main

import (
	"bytes"
	"io"
	"sync"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/engine/record"
)

// stepStreams opens the live output stream of one step's command
// (exec.Options.StepOutput).
type stepStreams func(node, step string) io.WriteCloser

// liveOutput is -v: the output of user steps, line by line as it arrives,
// each line prefixed with its step, redacted before it is printed.
type liveOutput struct {
	mu  sync.Mutex // one line at a time, whichever step it comes from
	w   io.Writer
	red *record.Redactor
}

// writer returns the stream of one command of step: redacted (a secret
// split across writes is still caught), then cut into prefixed lines.
func (l *liveOutput) writer(_, step string) io.WriteCloser {
	lw := &lineWriter{l: l, prefix: "  " + step + " | "}
	return &liveStream{red: l.red.Writer(lw), lines: lw}
}

// liveStream closes its redactor (releasing what it held back), then prints
// the last, unterminated line.
type liveStream struct {
	red   *record.Writer
	lines *lineWriter
}

func (s *liveStream) Write(p []byte) (int, error) { return s.red.Write(p) }

func (s *liveStream) Close() error {
	err := s.red.Close()
	s.lines.flush()
	return err
}

// lineWriter prints whole lines with a prefix; a node's output reaches the
// terminal sanitized, so it cannot send escape sequences.
type lineWriter struct {
	l       *liveOutput
	prefix  string
	pending []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.pending = append(w.pending, p...)
	for {
		i := bytes.IndexByte(w.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.print(w.pending[:i])
		w.pending = w.pending[i+1:]
	}
}

func (w *lineWriter) flush() {
	if len(w.pending) > 0 {
		w.print(w.pending)
		w.pending = nil
	}
}

func (w *lineWriter) print(line []byte) {
	text := manifest.Sanitize(string(bytes.TrimRight(line, "\r")))
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	_, _ = io.WriteString(w.l.w, w.prefix+text+"\n")
}

// plainWriter hides a terminal from the progress view's choice, so that -v
// gets the line-by-line view: a redrawn board would overwrite the output.
type plainWriter struct{ io.Writer }
