package record

import (
	"io"
	"sync"
)

// Writer redacts a stream on its way to an underlying writer. A secret split
// across two Write calls is still caught: Writer holds back the last
// len(longest secret) bytes until the next Write shows what follows them, and
// Flush (or Close) releases that tail at the end of the stream.
type Writer struct {
	mu       sync.Mutex
	r        *Redactor
	w        io.Writer
	pending  []byte
	prevWord bool
	out      []byte
}

// Writer wraps w so everything written through it is redacted. Close flushes
// but does not close w: the caller owns w.
func (r *Redactor) Writer(w io.Writer) *Writer {
	return &Writer{r: r, w: w}
}

// Write redacts what can be decided now and holds back a possible secret's
// prefix. It reports len(p) when the underlying write succeeds.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.r.Empty() {
		return w.w.Write(p)
	}
	w.pending = append(w.pending, p...)
	if err := w.emit(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the held-back tail, redacted as the end of the stream.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.r.Empty() || len(w.pending) == 0 {
		return nil
	}
	return w.emit(true)
}

// Close flushes the held-back tail. It does not close the underlying writer.
func (w *Writer) Close() error { return w.Flush() }

func (w *Writer) emit(final bool) error {
	var n int
	w.out, n, w.prevWord = w.r.scan(w.out[:0], w.pending, final, w.prevWord)
	w.pending = append(w.pending[:0], w.pending[n:]...)
	if len(w.out) == 0 {
		return nil
	}
	_, err := w.w.Write(w.out)
	return err
}

// Err wraps err so its message is redacted. errors.Is and errors.As still see
// the original chain through Unwrap; note that a typed error extracted with
// errors.As carries its own, unredacted fields, so print the wrapper, not the
// extracted value. Err(nil) is nil.
func (r *Redactor) Err(err error) error {
	if err == nil || r.Empty() {
		return err
	}
	if _, ok := err.(*redactedError); ok {
		return err
	}
	return &redactedError{r: r, err: err}
}

type redactedError struct {
	r   *Redactor
	err error
}

// Error is computed when asked, so an error whose text changes later is still
// redacted.
func (e *redactedError) Error() string { return e.r.String(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }
