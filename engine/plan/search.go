package plan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/internal/release"
)

// The order search finds one sequence of units (hops and SSP passes, one
// drained window each) for the whole enterprise that takes every node to its
// target while the rules hold at every point: at most max_lines release lines
// among the core SMs of every cluster together (BSMs are not in the data
// replication ring and do not count), a BSM crosses to another line only
// after the core SMs it registers with reached its target (and patches only
// on their line), an SM/BSM hop waits for SMGR to reach its line,
// and SMGR's hop into smgr_ssp_target waits for the SSP pass of every node
// that needs one (SMGR's hops are moves of the search too).
//
// It is a depth-first search with memoisation of dead states. Nodes whose
// candidate paths are identical and whose rules read the same nodes are
// interchangeable, so a state is keyed by the multiset of their progress
// (their positions in a trie of candidate unit sequences), which keeps the
// state space small even for 28 SMs.

// searchMode selects which rules the search enforces.
type searchMode struct {
	lines, bsm, smgr bool
	alternatives     bool // all candidate paths, not only the shortest
}

// searchBudget bounds the states one search may expand.
const searchBudget = 300000

type trieEdge struct {
	u     unit
	child int
}

type trieNode struct {
	release  string
	line     string
	lineKey  int // line as a comparable number
	children []trieEdge
	depth    int  // units done to get here
	terminal int  // candidate index ending here, -1 when none
	sspAhead bool // an SSP pass is still ahead on some branch
	// sspOK: the node carries the latest SSP of its release here (declared
	// at the root, installed by an SSP pass, or nothing to install).
	sspOK bool
}

type trie struct{ nodes []trieNode }

func buildTrie(start string, rootOK bool, hasSSP func(release string) bool, cands []candidate, alternatives bool) *trie {
	t := &trie{nodes: []trieNode{{release: start, line: catalog.LineOf(start), lineKey: lineKey(start), terminal: -1, sspOK: rootOK}}}
	for ci, c := range cands {
		if c.rank > 0 && !alternatives {
			break
		}
		cur := 0
		for _, u := range c.units {
			next := -1
			for _, e := range t.nodes[cur].children {
				if e.u == u {
					next = e.child
				}
			}
			if next < 0 {
				rel := u.to
				t.nodes = append(t.nodes, trieNode{release: rel, line: catalog.LineOf(rel), lineKey: lineKey(rel), terminal: -1, depth: t.nodes[cur].depth + 1,
					sspOK: u.ssp || !hasSSP(u.to)})
				next = len(t.nodes) - 1
				t.nodes[cur].children = append(t.nodes[cur].children, trieEdge{u: u, child: next})
			}
			cur = next
		}
		if t.nodes[cur].terminal < 0 {
			t.nodes[cur].terminal = ci
		}
	}
	if len(cands) == 0 {
		// A node without a path (its verdict is reported) stays where it
		// is: done as it stands, so the others can still be ordered.
		t.nodes[0].terminal = 0
	}
	var mark func(i int) bool
	mark = func(i int) bool {
		for _, e := range t.nodes[i].children {
			if mark(e.child) || e.u.ssp {
				t.nodes[i].sspAhead = true
			}
		}
		return t.nodes[i].sspAhead
	}
	mark(0)
	return t
}

// searcher holds one cluster search.
type searcher struct {
	b     *builder
	mode  searchMode
	nodes []*nodeState // every cluster's nodes, in manifest order
	tries []*trie
	// core lists the indexes of the core SMs (the nodes the line rule
	// counts); coreOf, for a BSM, the core SMs it must not move ahead of.
	core   []int
	coreOf [][]int
	class  []int
	pos    []int
	smgrU  []unit // SMGR's units, nil without the SMGR rule
	smgrAt int
	// pairKeys[a] is the line an SM hop may go to once SMGR ran a units,
	// with a geo-redundant pair (nil without one): see pairLineKeys.
	pairKeys []int
	sspHop   int // index into smgrU of the hop into smgr_ssp_target, -1 none
	maxL     int

	members [][]int // node indexes per class
	buf     []byte
	scratch []int

	dead     map[string]bool
	expanded int
	aborted  bool
	moves    []searchMove
	// worst is the most advanced move refused for lines, for the refusal text.
	worst *lineViolation
}

type searchMove struct {
	node  int // -1: SMGR
	depth int // units done before the move
	child int
	u     unit
}

type lineViolation struct {
	progress int
	node     string
	u        unit
	lines    []string
}

func (b *builder) newSearcher(nodes []*nodeState, mode searchMode) *searcher {
	s := &searcher{b: b, mode: mode, nodes: nodes, dead: map[string]bool{}, maxL: b.cat.Rules.MaxLines, sspHop: -1}
	classes := map[string]int{}
	// The BSM rule reads a BSM's core SMs: BSMs are told apart by their core
	// set, and a core SM by the core sets it is in.
	index := map[*nodeState]int{}
	for i, ns := range nodes {
		index[ns] = i
		if ns.isCore() {
			s.core = append(s.core, i)
		}
	}
	coreSet := map[*nodeState]string{}
	inSets := map[*nodeState]string{}
	for _, ns := range nodes {
		var names []string
		for _, c := range ns.cores {
			names = append(names, c.n.Name)
		}
		sort.Strings(names)
		coreSet[ns] = strings.Join(names, ",")
		for _, c := range ns.cores {
			if !strings.Contains(inSets[c], "["+coreSet[ns]+"]") {
				inSets[c] += "[" + coreSet[ns] + "]"
			}
		}
	}
	for _, ns := range nodes {
		var deps []int
		for _, c := range ns.cores {
			// A core SM without a path has its own verdict and stays put:
			// it must not hold its branches in the order.
			if j, ok := index[c]; ok && !c.failed {
				deps = append(deps, j)
			}
		}
		s.coreOf = append(s.coreOf, deps)
		var cands []candidate
		if !ns.failed {
			cands = ns.cands
		}
		hasSSP := func(r string) bool { _, ok := b.cat.LatestSSP(ns.product, r); return ok }
		t := buildTrie(ns.release, b.sspSatisfied(ns, ns.release), hasSSP, cands, mode.alternatives)
		var key strings.Builder
		key.WriteString(string(ns.n.Kind) + "|" + ns.release + "|" + ns.target + "|" + coreSet[ns] + "|" + inSets[ns] + "|")
		for _, c := range cands {
			if c.rank > 0 && !mode.alternatives {
				break
			}
			for _, u := range c.units {
				key.WriteString(u.from + ">" + u.to + "," + strconv.FormatBool(u.ssp) + ";")
			}
			key.WriteString("|")
		}
		id, ok := classes[key.String()]
		if !ok {
			id = len(classes)
			classes[key.String()] = id
		}
		s.tries = append(s.tries, t)
		s.class = append(s.class, id)
		if id == len(s.members) {
			s.members = append(s.members, nil)
		}
		s.members[id] = append(s.members[id], len(s.pos))
		s.pos = append(s.pos, 0)
	}
	if mode.smgr && b.smgrGate {
		s.smgrU = b.smgr.units()
		if b.smgrPeer != nil {
			s.pairKeys = b.pairLineKeys()
		}
		if h := b.smgrSSPHop(); h >= 0 {
			for i, u := range s.smgrU {
				if !u.ssp && u.index == h+1 {
					s.sspHop = i
				}
			}
		}
	}
	return s
}

func (s *searcher) smgrLineKey() int {
	if s.pairKeys != nil {
		return s.pairKeys[s.smgrAt]
	}
	if s.smgrAt == 0 {
		return lineKey(s.b.smgr.release)
	}
	return lineKey(s.smgrU[s.smgrAt-1].to)
}

// lineKey maps a release (or line) to a number, so lines compare as ints.
func lineKey(r string) int { return release.LineKey(r) }

// lineCount counts the release lines of the core SMs with node i on line key lk.
func (s *searcher) lineCount(i int, lk int) int {
	var seen [8]int
	n := 0
	for _, j := range s.core {
		k := lk
		if j != i {
			k = s.tries[j].nodes[s.pos[j]].lineKey
		}
		dup := false
		for _, x := range seen[:min(n, len(seen))] {
			if x == k {
				dup = true
				break
			}
		}
		if !dup {
			if n < len(seen) {
				seen[n] = k
			}
			n++
		}
	}
	return n
}

// lines returns the sorted release lines of the core SMs, with node i on rel.
func (s *searcher) lines(i int, rel string) []string {
	set := map[string]bool{}
	for _, j := range s.core {
		if j == i {
			set[catalog.LineOf(rel)] = true
		} else {
			set[s.tries[j].nodes[s.pos[j]].line] = true
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Slice(out, func(a, b int) bool { return catalog.CompareLines(out[a], out[b]) < 0 })
	return out
}

func (s *searcher) key() string {
	k := append(s.buf[:0], byte(s.smgrAt))
	for _, members := range s.members {
		ps := s.scratch[:0]
		for _, i := range members {
			ps = append(ps, s.pos[i])
		}
		// insertion sort: classes are small
		for a := 1; a < len(ps); a++ {
			for b := a; b > 0 && ps[b] < ps[b-1]; b-- {
				ps[b], ps[b-1] = ps[b-1], ps[b]
			}
		}
		for _, p := range ps {
			k = append(k, byte(p), byte(p>>8))
		}
		k = append(k, 0xff, 0xff)
		s.scratch = ps
	}
	s.buf = k
	return string(k)
}

func (s *searcher) done() bool {
	for i, t := range s.tries {
		if t.nodes[s.pos[i]].terminal < 0 {
			return false
		}
	}
	return true
}

func (s *searcher) progress() int {
	n := s.smgrAt
	for i := range s.nodes {
		n += s.tries[i].nodes[s.pos[i]].depth
	}
	return n
}
