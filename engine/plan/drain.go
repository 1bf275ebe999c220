package plan

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// DrainArgs are a planned drain's arguments, typed: how many active calls
// may remain once new service is denied, and how long the drain waits for
// the others to end (policy max_active_calls and drain_timeout).
//
// The plan document carries them as strings in the step's args, a contract
// of plan --json; the plan writes that form (Args) and reads it back when a
// saved plan is loaded (Step.UnmarshalJSON), so the executor reads
// Step.Drain and never parses a string.
type DrainArgs struct {
	MaxActiveCalls int
	Timeout        time.Duration
}

// Drain argument names in a step's args (and the sm.drain module's).
const (
	ArgMaxActiveCalls = "max_active_calls"
	ArgDrainTimeout   = "drain_timeout"
)

// Args is the string form of d, as a step's args and a module's task carry it.
func (d DrainArgs) Args() map[string]string {
	return map[string]string{ArgMaxActiveCalls: strconv.Itoa(d.MaxActiveCalls), ArgDrainTimeout: d.Timeout.String()}
}

// drainArgsOf reads a drain's args back: nil when they name neither, an
// error when they name one alone or a value that is not a count or a
// duration (a plan file edited by hand).
func drainArgsOf(args map[string]string) (*DrainArgs, error) {
	mac, hasMax := args[ArgMaxActiveCalls]
	to, hasTimeout := args[ArgDrainTimeout]
	switch {
	case !hasMax && !hasTimeout:
		return nil, nil
	case !hasMax || !hasTimeout:
		return nil, fmt.Errorf("a drain's args name both %s and %s", ArgMaxActiveCalls, ArgDrainTimeout)
	}
	n, err := strconv.Atoi(mac)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s %q is not a count", ArgMaxActiveCalls, mac)
	}
	d, err := time.ParseDuration(to)
	if err != nil || d < 0 {
		return nil, fmt.Errorf("%s %q is not a duration", ArgDrainTimeout, to)
	}
	return &DrainArgs{MaxActiveCalls: n, Timeout: d}, nil
}

// UnmarshalJSON reads a step of a plan document and, for a planned drain,
// its typed arguments (Drain) from its args.
func (s *Step) UnmarshalJSON(b []byte) error {
	type step Step // without this method
	if err := json.Unmarshal(b, (*step)(s)); err != nil {
		return err
	}
	if !s.Planned(PhaseDrain) {
		return nil
	}
	d, err := drainArgsOf(s.Args)
	if err != nil {
		return fmt.Errorf("step %s: %w", s.ID, err)
	}
	s.Drain = d
	return nil
}
