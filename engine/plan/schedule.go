package plan

import (
	"sort"
)

// SMGRCluster is the cluster name of the System Manager's steps.
const SMGRCluster = "smgr"

// Schedule simulates the plan deterministically (list scheduling) and returns
// the steps in the order they start and the schedule's length in seconds.
//
// The rules: a step starts when all of its depends_on have finished; a node
// runs one step at a time; at most parallel clusters (SMGR not counted; 0 or
// less: no limit) are active at once, a cluster being active while one of
// its steps runs or one of its nodes is drained (from the start of an
// sm.drain step to the end of its sm.undrain), so that a drained window is
// never shared with another cluster beyond the limit. Should the limit ever
// block every ready step while nothing runs (user dependencies across
// clusters can do that), the first ready step starts anyway. Among the steps that may
// start, the one earlier in priority goes first (steps missing from priority
// go last, by id). A step takes its estimate_s. Steps that can never start
// (a dependency cycle or an unknown dependency) are left out of the order.
//
// Compile sets Plan.Order and Plan.EstimatedDurationS from it, and
// Schedule(p.Steps, parallel, p.Order) gives the same answer again.
func Schedule(steps []*Step, parallel int, priority []string) (order []string, durationS int) {
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
	busyNode := map[string]bool{}
	active := map[string]int{} // cluster -> running steps + drained nodes
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
			active[s.Cluster]++
			if s.Module == "sm.drain" {
				active[s.Cluster]++ // held until the undrain ends
			}
			order = append(order, s.ID)
			running = append(running, run{s, now + max(s.EstimateS, 0)})
		}
		for _, s := range pending {
			if !ready(deps[s], finished) || busyNode[s.Node] || !clusterFree(s.Cluster, active, parallel) {
				rest = append(rest, s)
				continue
			}
			start(s)
		}
		if len(running) == 0 {
			for i, s := range rest {
				if ready(deps[s], finished) {
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
				active[r.s.Cluster]--
				if r.s.Module == "sm.undrain" && active[r.s.Cluster] > 0 {
					active[r.s.Cluster]--
				}
				if active[r.s.Cluster] == 0 {
					delete(active, r.s.Cluster)
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

func clusterFree(cluster string, active map[string]int, parallel int) bool {
	if parallel <= 0 || cluster == SMGRCluster || active[cluster] > 0 {
		return true
	}
	n := 0
	for c := range active {
		if c != SMGRCluster {
			n++
		}
	}
	return n < parallel
}
