package rollout

import (
	"fmt"
	"strings"
)

// Phase is a phase of a hop, or, for a user step, the step block's name.
type Phase string

// Phases, in the order a hop goes through them.
const (
	PhasePrecheck Phase = "precheck"
	PhaseBackup   Phase = "backup"
	PhaseUpload   Phase = "upload"
	// PhaseReplicationOff and PhaseReplicationOn disable and re-enable the
	// data replication of a geo-redundant System Manager pair around the
	// upgrade of both members.
	PhaseReplicationOff Phase = "replication_off"
	PhaseReplicationOn  Phase = "replication_on"
	PhaseDrain          Phase = "drain"
	PhaseSSP            Phase = "ssp"
	PhaseUpgrade        Phase = "upgrade"
	PhaseMigrate        Phase = "migrate"
	PhaseRestore        Phase = "restore"
	PhaseVerify         Phase = "verify"
	PhaseUndrain        Phase = "undrain"
)

// Effect is what a phase does to the node's facts, as the dry-run predicts
// it (and as a change is confirmed from facts after a lost connection).
type Effect int

// Effects.
const (
	EffectNone    Effect = iota // reads, or changes nothing the facts show
	EffectDeny                  // the node denies new service; its calls drain
	EffectSSP                   // the hop's SSP level is installed
	EffectRelease               // the hop's target release is installed
	EffectData                  // the hop's target release, with the data of the backup
	EffectAccept                // the node accepts new service again
)

// PhaseSpec is what the engine needs to know of a phase. A phase's position
// is its row's index in the table (Position).
type PhaseSpec struct {
	Phase Phase
	// InWindow says the phase runs inside the drained window (drain …
	// undrain) on a kind that can drain.
	InWindow bool
	// ChangesNode says the phase changes the node's service or software:
	// it must fit in what is left of the maintenance window.
	ChangesNode bool
	// Reboots says the phase's installer ends by rebooting the node: the
	// lost connection is expected, and the outcome is confirmed after it.
	Reboots bool
	// Rerun says running the phase again is safe: after a lost connection
	// and on resume it runs once more instead of being settled from the
	// node's facts. A change that is not (an installer, a restore) is never
	// run twice blind: an SSH drop mid-patch can leave a node half-changed.
	Rerun bool
	// Medium says the phase installs the hop's uploaded medium.
	Medium bool
	// NewRelease says the phase puts the hop's target line on the node:
	// System Manager must be on that line first.
	NewRelease bool
	// Effect is what the phase does to the node's facts.
	Effect Effect
	// Pair says the phase belongs to a geo-redundant System Manager pair
	// only: the planner puts it once per pair (System Manager's phase list
	// has it; the SMs' do not).
	Pair bool
}

// Installs says the phase changes the node's software or data: a rollback
// undoes it, an interrupt lets it finish, a lost connection is settled from
// facts.
func (s PhaseSpec) Installs() bool { return s.ChangesNode && !s.Rerun }

// phases is THE table of phases, in the order a hop goes through them.
// Adding a phase is a row here (its position is where the row is) plus its
// data: its actions in schema/profile.hcl, its estimate in
// schema/catalog.hcl, its module (sm.<phase>), and a case in the switches
// that dispatch on phases (the executor's runPhase, the planner's hopArgs)
// when it needs code of its own. TestPhasesKnown checks schema knows it.
var phases = []PhaseSpec{
	{Phase: PhasePrecheck, Rerun: true},
	{Phase: PhaseBackup, Rerun: true},
	{Phase: PhaseUpload, Rerun: true},
	{Phase: PhaseReplicationOff, ChangesNode: true, Rerun: true, Pair: true},
	{Phase: PhaseDrain, InWindow: true, ChangesNode: true, Rerun: true, Effect: EffectDeny},
	{Phase: PhaseSSP, InWindow: true, ChangesNode: true, Reboots: true, Medium: true, Effect: EffectSSP},
	{Phase: PhaseUpgrade, InWindow: true, ChangesNode: true, Reboots: true, Medium: true, NewRelease: true, Effect: EffectRelease},
	{Phase: PhaseMigrate, InWindow: true, ChangesNode: true, Medium: true, NewRelease: true, Effect: EffectData},
	{Phase: PhaseRestore, InWindow: true, ChangesNode: true, Effect: EffectData},
	{Phase: PhaseVerify, InWindow: true, Rerun: true},
	{Phase: PhaseUndrain, InWindow: true, Rerun: true, Effect: EffectAccept},
	{Phase: PhaseReplicationOn, ChangesNode: true, Rerun: true, Pair: true},
}

// Phases returns every phase, in the order a hop goes through them.
func Phases() []Phase {
	out := make([]Phase, len(phases))
	for i, s := range phases {
		out[i] = s.Phase
	}
	return out
}

// PhaseNames returns every phase as a string, in order.
func PhaseNames() []string {
	out := make([]string, len(phases))
	for i, s := range phases {
		out[i] = string(s.Phase)
	}
	return out
}

// Position is p's place in a hop (0 for the first phase); -1 when p is not a
// phase (a user step's name).
func (p Phase) Position() int {
	for i, s := range phases {
		if s.Phase == p {
			return i
		}
	}
	return -1
}

// Spec returns the row of p; the zero PhaseSpec (no property) when p is not
// a phase.
func (p Phase) Spec() PhaseSpec {
	if i := p.Position(); i >= 0 {
		return phases[i]
	}
	return PhaseSpec{}
}

// Known reports whether p is in the table.
func (p Phase) Known() bool { return p.Position() >= 0 }

// ParsePhase reads a phase's name.
func ParsePhase(s string) (Phase, error) {
	if p := Phase(s); p.Known() {
		return p, nil
	}
	return "", fmt.Errorf("unknown phase %q (%s)", s, strings.Join(PhaseNames(), ", "))
}
