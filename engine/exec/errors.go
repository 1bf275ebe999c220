package exec

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/hashicorp/go-multierror"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// ErrInterrupted is matched (errors.Is) by the error Run returns when its
// context was cancelled: the journal is flushed and --resume continues.
var ErrInterrupted = errors.New("run interrupted")

// ErrHalted is matched (errors.Is) by the error Run returns when a step or a
// runtime guard failed: main maps it to exit code 3.
var ErrHalted = errors.New("run halted")

// NodeError is one failure on one node: the step it happened in and, when a
// runtime guard refused, the guard's stable id.
type NodeError struct {
	Node  string
	Step  string
	Guard string // "" when the step itself failed
	Err   error
}

func (e *NodeError) Error() string {
	where := e.Node
	if e.Step != "" {
		where = e.Step
	}
	if e.Guard != "" {
		return fmt.Sprintf("%s: guard %s: %v", where, e.Guard, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

func (e *NodeError) Unwrap() error { return e.Err }

// GuardError is a runtime guard's refusal. Its message is what the record and
// the terminal show next to the guard id.
type GuardError struct {
	ID      string
	Message string
}

func (e *GuardError) Error() string { return e.Message }

func guardErr(id, format string, args ...any) *GuardError {
	return &GuardError{ID: id, Message: fmt.Sprintf(format, args...)}
}

// RunError is the error of a run that did not succeed. Kind is ErrHalted or
// ErrInterrupted; Errs holds one *NodeError per failure (root causes only).
type RunError struct {
	Kind error
	Errs *multierror.Error
}

func (e *RunError) Error() string {
	if e.Errs == nil || len(e.Errs.Errors) == 0 {
		return e.Kind.Error()
	}
	return fmt.Sprintf("%v: %v", e.Kind, e.Errs)
}

// Is lets errors.Is(err, ErrHalted) and errors.Is(err, ErrInterrupted) work.
func (e *RunError) Is(target error) bool { return target == e.Kind }

// Unwrap exposes the node errors to errors.As.
func (e *RunError) Unwrap() error {
	if e.Errs == nil {
		return nil
	}
	return e.Errs.ErrorOrNil()
}

// connectionLost is implemented by the errors modules and connections return
// when the link to the node dropped (a reboot). Any error in a chain may say so.
type connectionLost interface{ ConnectionLost() bool }

// IsConnectionLost reports whether err means the node went away mid-command,
// as a rebooting node does: the step's outcome must then be read back from
// facts, never assumed.
func IsConnectionLost(err error) bool {
	if err == nil {
		return false
	}
	var cl connectionLost
	if errors.As(err, &cl) && cl.ConnectionLost() {
		return true
	}
	if errors.Is(err, sm.ErrRebooting) || errors.Is(err, ssh.ErrConnectionLost) {
		return true
	}
	var ne *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &ne)
}

// lost applies IsConnectionLost and the transport's own test. A module's
// *sm.TransportError (the command's connection failed before an exit status
// came back) counts too: the node's state is unknown and must be read again.
func (r *run) lost(err error) bool {
	var te *sm.TransportError
	return IsConnectionLost(err) || errors.As(err, &te) ||
		(err != nil && r.opts.ConnectionLost != nil && r.opts.ConnectionLost(err))
}
