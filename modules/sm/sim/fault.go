package sim

import (
	"fmt"
	"slices"
)

// SetFault arms a fault on a phase of the node in dir. count is how many
// times it fires (0: every time).
func SetFault(dir, phase, kind string, count int) error {
	if !slices.Contains(Phases, phase) {
		return fmt.Errorf("unknown phase %q (one of %v)", phase, Phases)
	}
	if !slices.Contains(FaultKinds, kind) {
		return fmt.Errorf("unknown fault kind %q (one of %v)", kind, FaultKinds)
	}
	if count < 0 {
		return fmt.Errorf("fault count must not be negative")
	}
	return Update(dir, func(s *State) error {
		if s.Faults == nil {
			s.Faults = map[string]Fault{}
		}
		s.Faults[phase] = Fault{Kind: kind, Remaining: count}
		return nil
	})
}

// ClearFault disarms the fault on a phase ("" clears every fault).
func ClearFault(dir, phase string) error {
	return Update(dir, func(s *State) error {
		if phase == "" {
			s.Faults = nil
		} else {
			delete(s.Faults, phase)
		}
		return nil
	})
}

// takeFault consumes the fault armed on phase, if any, and returns its kind.
func (s *session) takeFault(phase string) string {
	kind := ""
	err := s.update(func(st *State) error {
		f, ok := st.Faults[phase]
		if !ok {
			return nil
		}
		kind = f.Kind
		if f.Remaining == 1 {
			delete(st.Faults, phase)
		} else if f.Remaining > 1 {
			f.Remaining--
			st.Faults[phase] = f
		}
		st.record(now(), "fault", s.line, "", "", phase+":"+kind)
		return nil
	})
	if err != nil {
		return ""
	}
	return kind
}

// phase applies the fault armed on a phase before its command runs. done
// reports that the command ends here with code. A disconnect fault lets the
// command do its work (as an installer started with nohup would) and drops
// the connection when it ends: see end.
func (s *session) phase(name string) (code int, done bool) {
	switch s.takeFault(name) {
	case "fail":
		return s.fail("%s failed (simulated fault)", name), true
	case "hang":
		<-s.ctx.Done()
		return 124, true
	case "slow":
		s.slow = true
	case "disconnect":
		s.dropAtEnd = true
	}
	return 0, false
}

// end finishes a phase command, dropping the connection when a disconnect
// fault was armed.
func (s *session) end(code int) int {
	if s.dropAtEnd {
		return s.drop()
	}
	return code
}
