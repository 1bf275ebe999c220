package plan

import "github.com/runbook-dev/runbook/engine/catalog"

// run searches; ok is false when no sequence exists (or the budget ran out:
// see aborted).
func (s *searcher) run() bool {
	if s.mode.lines && len(s.lines(-1, "")) > s.maxL {
		return false
	}
	return s.dfs()
}

func (s *searcher) dfs() bool {
	if s.done() {
		return true
	}
	key := s.key()
	if s.dead[key] {
		return false
	}
	if s.expanded >= searchBudget {
		s.aborted = true
		return false
	}
	s.expanded++
	// Forced moves, taken without branching because they never hurt: SMGR's
	// next hop as soon as it is allowed (nothing needs SMGR to stay low), and
	// a node's only next unit when it is an SSP pass or an allowed patch hop
	// inside its line that cannot spoil rule 1 (neither changes a line, and
	// the node must take it next anyway: any solution can be reordered to
	// take it now).
	if s.smgrU != nil && s.smgrAt < len(s.smgrU) && s.smgrMayMove() {
		s.smgrAt++
		s.moves = append(s.moves, searchMove{node: -1, depth: s.smgrAt - 1, u: s.smgrU[s.smgrAt-1]})
		if s.dfs() {
			return true
		}
		s.moves = s.moves[:len(s.moves)-1]
		s.smgrAt--
		s.dead[key] = !s.aborted
		return false
	}
	for i := range s.nodes {
		from := s.pos[i]
		kids := s.tries[i].nodes[from].children
		if len(kids) != 1 || !(kids[0].u.ssp || s.forcedPatch(i, kids[0].u)) {
			continue
		}
		s.pos[i] = kids[0].child
		s.moves = append(s.moves, searchMove{node: i, depth: s.depth(i, from), child: kids[0].child, u: kids[0].u})
		if s.dfs() {
			return true
		}
		s.moves = s.moves[:len(s.moves)-1]
		s.pos[i] = from
		s.dead[key] = !s.aborted
		return false
	}
	tried := map[string]bool{}
	for i := range s.nodes {
		from := s.pos[i]
		for _, e := range s.tries[i].nodes[from].children {
			if !s.allowed(i, e.u) {
				continue
			}
			s.pos[i] = e.child
			k := s.key()
			if tried[k] || s.dead[k] {
				s.pos[i] = from
				continue
			}
			tried[k] = true
			s.moves = append(s.moves, searchMove{node: i, depth: s.depth(i, from), child: e.child, u: e.u})
			if s.dfs() {
				return true
			}
			s.moves = s.moves[:len(s.moves)-1]
			s.pos[i] = from
			if s.aborted {
				return false
			}
		}
	}
	s.dead[key] = true
	return false
}

// smgrMayMove: SMGR's hop into smgr_ssp_target waits until every node that
// rule 1 covers carries the latest SSP of the release it is on.
func (s *searcher) smgrMayMove() bool {
	if s.smgrAt != s.sspHop {
		return true
	}
	for i := range s.nodes {
		if s.covered(i) && !s.tries[i].nodes[s.pos[i]].sspOK {
			return false
		}
	}
	return true
}

// covered says whether rule 1 covers node i where it stands now: its
// release at this moment is of smgr_ssp_from or later (a 7.0 SM that went to
// 10.1 is, though it started below).
func (s *searcher) covered(i int) bool {
	return s.nodes[i].rule1 || catalog.CompareLines(s.tries[i].nodes[s.pos[i]].line, s.b.cat.Rules.SMGRSSPFrom) >= 0
}

// allowed checks a unit of node i against the rules of the mode.
func (s *searcher) allowed(i int, u unit) bool {
	if u.ssp {
		return true
	}
	ns := s.nodes[i]
	toKey := lineKey(u.to)
	if s.smgrU != nil && s.smgrLineKey() < toKey {
		return false
	}
	// Core before BSM: a BSM crosses to another line only once its core
	// SMs have reached its target, and a patch hop waits for them to be on
	// its line (bsm.above_core checks the targets).
	if s.mode.bsm && ns.isBSM() {
		for _, j := range s.coreOf[i] {
			at := s.tries[j].nodes[s.pos[j]]
			if at.lineKey < toKey || (!u.patch && catalog.Compare(at.release, ns.target) < 0) {
				return false
			}
		}
	}
	if s.mode.lines && ns.isCore() {
		if s.lineCount(i, toKey) > s.maxL {
			if p := s.progress(); s.worst == nil || p > s.worst.progress {
				s.worst = &lineViolation{progress: p, node: ns.n.Name, u: u, lines: s.lines(i, u.to)}
			}
			return false
		}
	}
	return true
}

func (s *searcher) depth(i, pos int) int { return s.tries[i].nodes[pos].depth }

// forcedPatch reports whether a patch hop may be taken without branching.
func (s *searcher) forcedPatch(i int, u unit) bool {
	if lineKey(u.from) != lineKey(u.to) || !s.allowed(i, u) {
		return false
	}
	return !s.covered(i) || s.smgrU == nil || s.sspHop < 0 || s.smgrAt > s.sspHop
}
