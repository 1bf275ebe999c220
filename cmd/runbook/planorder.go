package main

import (
	"github.com/runbook-dev/runbook/engine/plan"
)

// stepBlock is a run of consecutive steps of one node and one hop in the
// human plan's order.
type stepBlock struct {
	Node  string
	Hop   plan.Hop
	Steps []*plan.Step
}

// executionBlocks lays the plan's steps out in execution order for a reader,
// grouped by node and hop. The plan's order (the schedule the executor
// follows, Plan.Order) interleaves nodes whose steps run at the same time;
// printed as is, a node's hop would be scattered over the page. The blocks
// keep every rule of that order and group what may be grouped:
//
//   - a step comes after every step it depends on (depends_on) and after the
//     earlier steps of its node (a node runs one step at a time);
//   - changing windows (a node's consecutive steps that are out of service or
//     change the node: drain … undrain, SSP, upgrade, restore …) appear in
//     the order the schedule starts them, one whole window after another,
//     never interleaved: the reader sees which node is changed when;
//   - a block starts with the first step of the schedule that may come next,
//     then takes that node's following steps of the same hop while they may.
//
// Windows that run at once (policy.parallel, branch_parallel) are printed
// one after the other.
func executionBlocks(p *plan.Plan) []stepBlock {
	byID := make(map[string]*plan.Step, len(p.Steps))
	for _, s := range p.Steps {
		byID[s.ID] = s
	}
	var order []*plan.Step
	inOrder := map[string]bool{}
	for _, id := range p.Order {
		if s := byID[id]; s != nil && !inOrder[id] {
			inOrder[id] = true
			order = append(order, s)
		}
	}
	for _, s := range p.Steps { // steps the schedule left out (a cycle): last
		if !inOrder[s.ID] {
			order = append(order, s)
		}
	}

	// prev: the node's previous step; window: which changing window a step
	// belongs to (-1: none), windows numbered in the order they start.
	prev := map[string]string{}
	lastOf := map[string]*plan.Step{}
	window := map[string]int{}
	var windows [][]string
	for _, s := range order {
		last := lastOf[s.Node]
		if last != nil {
			prev[s.ID] = last.ID
		}
		lastOf[s.Node] = s
		if !changing(s) {
			window[s.ID] = -1
			continue
		}
		if last != nil && window[last.ID] >= 0 {
			w := window[last.ID]
			window[s.ID] = w
			windows[w] = append(windows[w], s.ID)
			continue
		}
		window[s.ID] = len(windows)
		windows = append(windows, []string{s.ID})
	}

	done := map[string]bool{}
	may := func(s *plan.Step) bool {
		if done[s.ID] {
			return false
		}
		for _, d := range s.DependsOn {
			if byID[d] != nil && !done[d] {
				return false
			}
		}
		if pr, ok := prev[s.ID]; ok && !done[pr] {
			return false
		}
		w := window[s.ID]
		if w < 0 || windows[w][0] != s.ID {
			return true
		}
		for _, earlier := range windows[:w] {
			for _, id := range earlier {
				if !done[id] {
					return false
				}
			}
		}
		return true
	}

	var out []stepBlock
	for len(done) < len(order) {
		var first *plan.Step
		for _, s := range order {
			if may(s) {
				first = s
				break
			}
		}
		if first == nil { // never with a schedule's order; keep going anyway
			for _, s := range order {
				if !done[s.ID] {
					first = s
					break
				}
			}
		}
		b := stepBlock{Node: first.Node, Hop: first.Hop, Steps: []*plan.Step{first}}
		done[first.ID] = true
		for _, s := range order {
			if s.Node != b.Node || done[s.ID] {
				continue
			}
			if s.Hop != b.Hop || !may(s) {
				break
			}
			b.Steps = append(b.Steps, s)
			done[s.ID] = true
		}
		out = append(out, b)
	}
	return out
}

// changing reports whether a step belongs to a node's changing window: out
// of service, or a planned phase that changes the node.
func changing(s *plan.Step) bool {
	return s.OutOfService || (!s.User && plan.ChangesNode(s.Phase))
}
