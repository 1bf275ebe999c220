package plan

import (
	"slices"
	"sort"
)

// SMGRCluster is the cluster name of the System Manager's steps.
const SMGRCluster = "smgr"

// Limits are the out-of-service rules the schedule simulates, the same the
// executor enforces at run time (README "Planning", the --parallel option):
// across the whole manifest at most Parallel core SMs out of service at once,
// at most BranchParallel BSMs, never a BSM together with one of its core SMs
// (Node.Core), never a node together with its secondary. Parallel and
// BranchParallel below 1 count as 1. Nodes gives each step's node its kind,
// core SMs and secondary; a node missing from it is never out of service.
type Limits struct {
	Parallel, BranchParallel int
	Nodes                    []*Node
}

// Schedule simulates the plan deterministically (list scheduling) and returns
// the steps in the order they start and the schedule's length in seconds.
//
// The rules, those of the executor's walk: a step starts when all of its
// depends_on have finished; a node runs one step at a time; a node is out of
// service from the start of its drain step (module sm.drain) to the end of
// its undrain (sm.undrain), and a drain starts only while lim allows the
// node out of service. Everything else (prechecks, backups, uploads, System
// Manager) runs as soon as its dependencies and its node allow. Should the
// rules ever block every ready step while nothing runs (user dependencies
// can do that), the first ready step starts anyway. Among the steps that may
// start, the one earlier in priority goes first (steps missing from priority
// go last, by id). A step takes its estimate_s. Steps that can never start
// (a dependency cycle or an unknown dependency) are left out of the order.
//
// Compile sets Plan.Order and Plan.EstimatedDurationS from it, and
// Schedule(p.Steps, lim, p.Order) gives the same answer again.
func Schedule(steps []*Step, lim Limits, priority []string) (order []string, durationS int) {
	rank := map[string]int{}
	for i, id := range priority {
		rank[id] = i
	}
	pending := append([]*Step(nil), steps...)
	sort.SliceStable(pending, func(i, j int) bool {
		ri, oki := rank[pending[i].ID]
		rj, okj := rank[pending[j].ID]
		switch {
		case oki && okj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return pending[i].ID < pending[j].ID
	})
	// Dependencies by index into finished (-1: unknown, never finishes):
	// the start pass runs after every finish, over every pending step.
	pos := make(map[string]int, len(steps))
	for _, s := range steps {
		if _, dup := pos[s.ID]; !dup {
			pos[s.ID] = len(pos)
		}
	}
	finished := make([]bool, len(pos))
	deps := make(map[*Step][]int, len(steps))
	for _, s := range steps {
		ds := make([]int, len(s.DependsOn))
		for i, d := range s.DependsOn {
			if p, ok := pos[d]; ok {
				ds[i] = p
			} else {
				ds[i] = -1
			}
		}
		deps[s] = ds
	}
	oos := newOOSSim(lim)
	busyNode := map[string]bool{}
	type run struct {
		s   *Step
		end int
	}
	var running []run
	now := 0
	for {
		// Start everything that may start now, in priority order.
		rest := pending[:0] // filtered in place: start does not touch pending
		start := func(s *Step) {
			busyNode[s.Node] = true
			if s.Module == "sm.drain" {
				oos.open(s.Node)
			}
			order = append(order, s.ID)
			running = append(running, run{s, now + max(s.EstimateS, 0)})
		}
		for _, s := range pending {
			if !ready(deps[s], finished) || busyNode[s.Node] || (s.Module == "sm.drain" && !oos.canOpen(s.Node)) {
				rest = append(rest, s)
				continue
			}
			start(s)
		}
		if len(running) == 0 {
			for i, s := range rest {
				if ready(deps[s], finished) && !busyNode[s.Node] {
					start(s)
					rest = append(rest[:i:i], rest[i+1:]...)
					break
				}
			}
		}
		pending = rest
		if len(running) == 0 {
			return order, now
		}
		// Advance to the next finish; finish every step ending then.
		next := running[0].end
		for _, r := range running[1:] {
			next = min(next, r.end)
		}
		now = next
		still := running[:0]
		for _, r := range running {
			if r.end == now {
				finished[pos[r.s.ID]] = true
				busyNode[r.s.Node] = false
				if r.s.Module == "sm.undrain" {
					oos.close(r.s.Node)
				}
				continue
			}
			still = append(still, r)
		}
		running = still
	}
}

// ready reports whether every dependency (indexes into finished, -1 for an
// unknown step) has finished.
func ready(deps []int, finished []bool) bool {
	for _, d := range deps {
		if d < 0 || !finished[d] {
			return false
		}
	}
	return true
}

// oosSim counts the nodes out of service in the simulation, like the
// executor's tracker does at run time.
type oosSim struct {
	lim   Limits
	nodes map[string]*Node
	out   map[string]bool
}

func newOOSSim(lim Limits) *oosSim {
	o := &oosSim{lim: lim, nodes: map[string]*Node{}, out: map[string]bool{}}
	for _, n := range lim.Nodes {
		o.nodes[n.Name] = n
	}
	return o
}

// canOpen says whether node may go out of service now.
func (o *oosSim) canOpen(node string) bool {
	n := o.nodes[node]
	if n == nil || !n.Kind.Spec().CanDrain {
		return true
	}
	core, branch := 0, 0
	for name := range o.out {
		m := o.nodes[name]
		if name == node || m == nil {
			continue
		}
		switch {
		case n.Secondary == name || m.Secondary == node:
			return false
		case n.Kind.Spec().Branch && m.Kind.Spec().Core && slices.Contains(n.Core, name):
			return false
		case n.Kind.Spec().Core && m.Kind.Spec().Branch && slices.Contains(m.Core, node):
			return false
		}
		if m.Kind.Spec().Branch {
			branch++
		} else if m.Kind.Spec().Core {
			core++
		}
	}
	switch {
	case n.Kind.Spec().Core:
		return core < max(o.lim.Parallel, 1)
	case n.Kind.Spec().Branch:
		return branch < max(o.lim.BranchParallel, 1)
	}
	return true
}

func (o *oosSim) open(node string) {
	if n := o.nodes[node]; n != nil && n.Kind.Spec().CanDrain {
		o.out[node] = true
	}
}

func (o *oosSim) close(node string) { delete(o.out, node) }
