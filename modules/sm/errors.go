package sm

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrRebooting is matched (errors.Is) by the error sm.ssp and sm.upgrade
// return when the connection drops while they run: the node is rebooting,
// as an install does. The engine then reconnects and establishes the outcome
// from facts (see Confirmer), never by re-running the install blindly.
var ErrRebooting = errors.New("node is rebooting (connection dropped)")

// ErrPasswordExpired is matched when the node's CLI account must change its
// password: the run fails clearly instead of hanging at the prompt.
var ErrPasswordExpired = errors.New("the node's CLI account password has expired; change it on the node first")

// RebootError wraps the transport error that ended an install.
type RebootError struct {
	Node, Action string
	Err          error
}

func (e *RebootError) Error() string {
	return fmt.Sprintf("%s: %s: connection dropped (node rebooting): %v", e.Node, e.Action, e.Err)
}
func (e *RebootError) Unwrap() error        { return e.Err }
func (e *RebootError) Is(target error) bool { return target == ErrRebooting }

// CommandError is a command that ended with a non-zero status.
type CommandError struct {
	Node, Action, Line string
	ExitCode           int
	Output             string // tail of stderr (or stdout when stderr is empty)
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("%s: %s: exit status %d: %s", e.Node, e.Action, e.ExitCode, e.Output)
}

// Is lets errors.Is(err, ErrPasswordExpired) see through the command.
func (e *CommandError) Is(target error) bool {
	return target == ErrPasswordExpired && expiredRE.MatchString(e.Output)
}

var expiredRE = regexp.MustCompile(`(?i)password (has expired|change required)|must change your password`)

// Unmet is what a module observed that does not meet its task: calls still
// above the maximum when the drain's wait ended, another release after an
// install, services down or a failed health check, an archive or a medium
// whose sha256 differs. It is an observation, not a verdict: for a planned
// phase the engine's guards judge it (engine/guard holds the guard ids); a
// user step that sees its task unmet fails.
type Unmet struct {
	Kind, Node, Detail string
}

func (e *Unmet) Error() string { return fmt.Sprintf("%s: %s", e.Node, e.Detail) }

// Observation kinds of an *Unmet.
const (
	ObsActiveCalls = "active_calls"
	ObsRelease     = "release"
	ObsServices    = "services"
	ObsData        = "data"
	ObsArchive     = "archive"
	ObsChecksum    = "checksum"
)

// tail keeps the last n bytes of s, trimmed.
func tail(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// TimeoutError is a node-changing action (an installer, a restore, a
// migration) that did not end within its timeout from the command profile.
// The command was stopped; what it did to the node is unknown.
type TimeoutError struct {
	Node, Action string
	After        time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: %s did not end within %s (its timeout in the command profile): stopped; the node's state is unknown, check it",
		e.Node, e.Action, e.After)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) match.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// TransportError is a command whose connection failed (dropped, timed out,
// cancelled) before an exit status came back: the node's state is unknown
// and must be read again.
type TransportError struct {
	Node, Action string
	Err          error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Node, e.Action, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }
