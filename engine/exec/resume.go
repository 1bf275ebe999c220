package exec

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// resumeState is what the journal of the resumed run says: the steps it
// completed, their outcome values (backups), and the facts each node had
// before each hop. Nothing of it is trusted as is: apply re-checks every
// completed step against the facts gathered now.
type resumeState struct {
	completed map[string]bool
	values    map[string]map[string]string   // step id -> outcome values
	before    map[string]map[int]facts.Facts // node -> hop -> facts before the hop
	initial   map[string]facts.Facts         // node -> facts at the first run's start
	held      map[string]string              // step id -> why its outcome still holds
	refused   map[string]string              // step id -> why it must not run again
}

func newResumeState(events []record.Event) *resumeState {
	rs := &resumeState{completed: map[string]bool{}, values: map[string]map[string]string{},
		before: map[string]map[int]facts.Facts{}, initial: map[string]facts.Facts{}, held: map[string]string{},
		refused: map[string]string{}}
	// An undrain by the failure policy undoes nothing the node's steps did,
	// so, unlike the rollback's restore, it must not un-complete them.
	var kept []record.Event
	for _, e := range events {
		if e.Type == record.EventRollback && e.Phase == "undrain" {
			continue
		}
		kept = append(kept, e)
	}
	for _, id := range record.CompletedSteps(kept) {
		rs.completed[id] = true
	}
	for _, e := range events {
		switch e.Type {
		case record.EventStepEnd:
			if e.Status == record.StepOK && len(e.Values) > 0 {
				rs.values[e.Step] = e.Values
			}
		case record.EventFacts:
			f, ok := decodeFacts(e.Facts)
			if !ok {
				continue
			}
			var hop int
			if _, err := fmt.Sscanf(e.Message, "before hop %d", &hop); err == nil {
				if rs.before[e.Node] == nil {
					rs.before[e.Node] = map[int]facts.Facts{}
				}
				rs.before[e.Node][hop] = f
			} else if e.Message == "initial" {
				if _, seen := rs.initial[e.Node]; !seen {
					rs.initial[e.Node] = f
				}
			}
		}
	}
	return rs
}

// decodeFacts reads the facts of a journal event, which JSON decoding left
// as a generic value.
func decodeFacts(v any) (facts.Facts, bool) {
	if v == nil {
		return facts.Facts{}, false
	}
	if f, ok := v.(facts.Facts); ok {
		return f, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return facts.Facts{}, false
	}
	var f facts.Facts
	return f, json.Unmarshal(b, &f) == nil && f.Release != ""
}

// apply decides, from the facts just gathered, which steps' outcomes still
// hold, and restores what later steps need (backups, facts before a hop).
func (rs *resumeState) apply(r *run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, ns := range r.nodes {
		for hop, f := range rs.before[name] {
			ns.before[hop] = f
		}
		if f, ok := rs.initial[name]; ok {
			ns.initial, ns.haveInitial = f, true
		}
	}
	for _, s := range r.steps {
		ns := r.nodes[s.Node]
		if ns == nil || !ns.haveFacts {
			continue
		}
		if why := rs.holds(r, ns, s); why != "" {
			rs.held[s.ID] = why
			if s.Planned(plan.PhaseBackup) {
				ns.backups[s.Hop.Index] = rs.values[s.ID]
				ns.lastBackup = rs.values[s.ID]
			}
			if s.Planned(plan.PhaseUpgrade) || s.Planned(plan.PhaseSSP) {
				ns.changed[s.Hop.Index] = true
			}
		}
	}
}

// holds says why step s need not run again ("" when it must).
func (rs *resumeState) holds(r *run, ns *nodeState, s *plan.Step) string {
	f, i := ns.facts, s.Hop.Index
	done := rs.completed[s.ID]
	if s.User {
		if done {
			return "completed in the resumed run"
		}
		return ""
	}
	pos := slices.Index(ns.pn.Path, f.Release)
	if pos > i || (i == 0 && pos > 0) {
		return "node is already on " + f.Release + ", past this hop"
	}
	if rs.hopDone(r, ns, i, pos) {
		return "hop completed in the resumed run and its outcome holds"
	}
	switch s.Phase {
	case plan.PhaseUpgrade:
		if pos == i {
			return "node is already on " + f.Release
		}
	case plan.PhaseSSP:
		if lvl := argInt(s.Args, "ssp", -1); f.Release == s.Hop.From && lvl >= 0 && f.SSP >= lvl {
			return fmt.Sprintf("SSP %d already installed", f.SSP)
		}
	case plan.PhaseRestore, plan.PhaseMigrate:
		if b, ok := ns.before[i]; ok && done && pos == i && f.DataDigest == b.DataDigest && f.Users == b.Users {
			return "data already restored (digest matches)"
		}
	case plan.PhaseBackup:
		v := rs.values[s.ID]
		ok := v != nil && checkArchive(v["archive"], v["archive_sha256"]) == nil
		if ok && (done || rs.changeDone(r, ns, i, pos)) {
			return "archive " + v["archive"] + " present, sha256 matches"
		}
		if rs.changeDone(r, ns, i, pos) {
			// Backing up now would save the changed node, and a restore
			// would then put the wrong data back: refuse instead.
			rs.refused[s.ID] = "the hop already changed " + ns.name + " but the journal holds no verified pre-upgrade backup; restore it by hand"
		}
	case plan.PhaseUpload:
		// The journal says the medium was uploaded, not that it is still
		// there unchanged: the upload runs again (it sends nothing when the
		// node's copy has the declared sha256) unless the change no longer
		// needs the medium.
		if rs.changeDone(r, ns, i, pos) {
			return "hop already changed the node: its medium is no longer needed"
		}
	case plan.PhasePrecheck:
		// Checks before a change that already happened cannot be re-run
		// meaningfully (the node may still be booting from it).
		if rs.changeDone(r, ns, i, pos) {
			return "hop already under way"
		}
	}
	return "" // drain, verify and undrain always run again
}

// hopDone says whether hop i is over on the node: its change is there (the
// hop's target release; for the SSP pass, the SSP level) and the node is
// back in service with the data it had before the hop. Read from the node,
// not only from the journal, so a resume given only the newest journal of a
// chain still skips the hops an older run finished. Without the "before"
// facts, every step of the hop must be completed in the journal.
func (rs *resumeState) hopDone(r *run, ns *nodeState, i, pos int) bool {
	f := ns.facts
	if f.ServiceState != sm.StateAccepting || !f.AllServicesUp() || !rs.changeDone(r, ns, i, pos) {
		return false
	}
	if b, ok := ns.before[i]; ok {
		return f.DataDigest == b.DataDigest && f.Users == b.Users
	}
	for _, s := range r.steps {
		if s.Node == ns.name && s.Hop.Index == i && !s.User && !rs.completed[s.ID] {
			return false
		}
	}
	return true
}

// changeDone says whether hop i's change is on the node: its target release
// (or, for the SSP pass, its SSP level).
func (rs *resumeState) changeDone(r *run, ns *nodeState, i, pos int) bool {
	if i > 0 {
		return pos == i
	}
	for _, s := range r.steps {
		if s.Node == ns.name && s.Hop.Index == 0 && s.Planned(plan.PhaseSSP) {
			lvl := argInt(s.Args, "ssp", -1)
			return lvl >= 0 && ns.facts.SSP >= lvl
		}
	}
	return false
}

func (r *run) heldReason(id string) string {
	if r.resume == nil {
		return ""
	}
	return r.resume.held[id]
}

func (r *run) isHeld(id string) bool { return r.heldReason(id) != "" }

func (r *run) refusedReason(id string) string {
	if r.resume == nil {
		return ""
	}
	return r.resume.refused[id]
}
