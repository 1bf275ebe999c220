package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes, as the README's "Commands" lists them. Only main turns an error into one of these.
const (
	exitOK          = 0
	exitError       = 1
	exitChanges     = 2
	exitHalted      = 3
	exitInterrupted = 4
)

// errReported means the command already printed its diagnostics; main only
// sets the exit code.
var errReported = errors.New("reported")

// usageError is a bad command line: wrong flag, missing argument.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// changesPendingError is plan --detailed-exitcode's "there is work to do".
type changesPendingError struct{}

func (changesPendingError) Error() string { return "changes pending" }

// haltedError is an apply stopped by a failed step or runtime guard. check
// says where to look first, per root cause; resume is the command that
// continues the run once that is fixed ("" for a dry-run).
type haltedError struct {
	err    error
	check  []string
	resume string
}

func (e *haltedError) Error() string { return "apply halted: " + e.err.Error() }
func (e *haltedError) Unwrap() error { return e.err }

// interruptedError is an apply stopped by SIGINT/SIGTERM; resume is the
// command that continues it ("" for a dry-run).
type interruptedError struct {
	err    error
	resume string
}

func (e *interruptedError) Error() string { return "interrupted: " + e.err.Error() }
func (e *interruptedError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code and prints what was not
// printed yet.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var (
		usage   *usageError
		halted  *haltedError
		intr    *interruptedError
		pending changesPendingError
	)
	switch {
	case errors.As(err, &pending):
		return exitChanges
	case errors.Is(err, errReported):
		return exitError
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "Error: %s\nRun 'runbook help' for usage.\n", usage.msg)
		return exitError
	case errors.As(err, &intr):
		if intr.resume == "" {
			fmt.Fprintf(stderr, "Interrupted: the journal is saved.\n")
		} else {
			fmt.Fprintf(stderr, "Interrupted: the journal is saved. To continue, run:\n  %s\n", intr.resume)
		}
		return exitInterrupted
	case errors.As(err, &halted):
		fmt.Fprintf(stderr, "Error: %s\n", halted.err)
		for _, c := range halted.check {
			fmt.Fprintf(stderr, "Check first: %s\n", c)
		}
		if halted.resume != "" {
			fmt.Fprintf(stderr, "Once that is fixed, resume with:\n  %s\n", halted.resume)
		}
		return exitHalted
	default:
		fmt.Fprintf(stderr, "Error: %s\n", err)
		return exitError
	}
}
