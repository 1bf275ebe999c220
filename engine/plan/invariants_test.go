package plan

import (
	"fmt"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// checkInvariants verifies a plan without errors against the rules of
// the README's "Planning", replaying its order step by step from the plan document alone:
// a node's release changes at the first change step (upgrade or migrate) of a
// hop, it is out of service from drain to undrain.
func checkInvariants(c *eval.Config, cat *catalog.Catalog, p *Plan) error {
	pos := map[string]int{}
	for i, id := range p.Order {
		if _, dup := pos[id]; dup {
			return fmt.Errorf("order lists %s twice", id)
		}
		pos[id] = i
	}
	if len(p.Order) != len(p.Steps) {
		return fmt.Errorf("order has %d steps, plan %d", len(p.Order), len(p.Steps))
	}
	for _, s := range p.Steps {
		for _, d := range s.DependsOn {
			if dp, ok := pos[d]; !ok || dp >= pos[s.ID] {
				return fmt.Errorf("%s runs before its dependency %s", s.ID, d)
			}
		}
	}
	if _, dur := Schedule(p.Steps, Limits{Parallel: c.Runbook.Policy.Parallel, BranchParallel: c.Runbook.Policy.BranchParallel, Nodes: p.Nodes}, p.Order); dur != p.EstimatedDurationS {
		return fmt.Errorf("estimated_duration_s %d, recomputed %d", p.EstimatedDurationS, dur)
	}
	// Independent bounds: no schedule beats the longest dependency chain or
	// exceeds running everything one after another.
	byID := map[string]*Step{}
	for _, s := range p.Steps {
		byID[s.ID] = s
	}
	finish, serial, longest := map[string]int{}, 0, 0
	for _, id := range p.Order {
		s := byID[id]
		start := 0
		for _, d := range s.DependsOn {
			start = max(start, finish[d])
		}
		finish[id] = start + s.EstimateS
		longest = max(longest, finish[id])
		serial += s.EstimateS
	}
	if p.EstimatedDurationS < longest || p.EstimatedDurationS > serial {
		return fmt.Errorf("estimated_duration_s %d outside [critical path %d, serial %d]", p.EstimatedDurationS, longest, serial)
	}
	rel, oos, sspOK, kind, cluster := map[string]string{}, map[string]bool{}, map[string]bool{}, map[string]rollout.Kind{}, map[string]string{}
	startRel := map[string]string{}
	members := map[string][]string{}
	for _, n := range p.Nodes {
		rel[n.Name], kind[n.Name], cluster[n.Name], startRel[n.Name] = n.Release, n.Kind, n.Cluster, n.Release
		prod := catalog.ProductSM
		if n.Kind == eval.KindSMGR {
			prod = catalog.ProductSMGR
		} else {
			members[n.Cluster] = append(members[n.Cluster], n.Name)
		}
		lvl, ok := cat.LatestSSP(prod, n.Release)
		sspOK[n.Name] = !ok || n.SSP >= lvl
	}
	coreOf, target := map[string][]string{}, map[string]string{}
	for _, n := range p.Nodes {
		coreOf[n.Name], target[n.Name] = n.Core, n.Target
		if n.Kind == eval.KindBSM && n.Core == nil {
			for _, o := range p.Nodes {
				if o.Kind == eval.KindSM && o.Cluster == n.Cluster {
					return fmt.Errorf("BSM %s lists no core SM, though %s is in its cluster", n.Name, o.Name)
				}
			}
		}
	}
	secondary := map[string]string{}
	for _, n := range c.AllNodes() {
		secondary[n.Name] = n.Secondary
	}
	smgrName, peerName := "", ""
	if c.SMGR != nil {
		smgrName = c.SMGR.Name
	}
	if c.SMGRSecondary != nil {
		peerName = c.SMGRSecondary.Name
	}
	replOff := false // a geo-redundant pair's replication is disabled
	settled := ""    // line of the pair's last replication_on (at the start, the lower)
	if peerName != "" {
		settled = catalog.LineOf(rel[smgrName])
		if l := catalog.LineOf(rel[peerName]); catalog.CompareLines(l, settled) < 0 {
			settled = l
		}
	}
	changed := map[string]bool{} // node/hop whose release already changed
	for _, id := range p.Order {
		s := byID[id]
		n := s.Node
		switch s.Phase {
		case PhaseReplicationOff:
			if peerName == "" || replOff {
				return fmt.Errorf("%s: replication disabled twice or without a pair", id)
			}
			replOff = true
		case PhaseReplicationOn:
			if !replOff || rel[smgrName] != rel[peerName] {
				return fmt.Errorf("%s: replication enabled with the System Managers on %s and %s", id, rel[smgrName], rel[peerName])
			}
			replOff = false
			settled = catalog.LineOf(rel[smgrName])
		case PhaseDrain:
			oos[n] = true
		case PhaseUndrain:
			oos[n] = false
		case PhaseSSP:
			sspOK[n] = true
		case PhaseUpgrade, PhaseMigrate:
			key := fmt.Sprintf("%s/%d", n, s.Hop.Index)
			if changed[key] || s.Hop.Index == 0 {
				break
			}
			changed[key] = true
			to := s.Hop.To
			if peerName != "" && (n == smgrName || n == peerName) && !replOff {
				return fmt.Errorf("%s: a geo-redundant System Manager changes with replication on", id)
			}
			if n == peerName && catalog.Compare(rel[smgrName], to) < 0 {
				return fmt.Errorf("%s: the secondary goes to %s while the primary is on %s", id, to, rel[smgrName])
			}
			if n == smgrName {
				from := catalog.LineOf(rel[n])
				tgt := cat.Rules.SMGRSSPTarget
				if catalog.CompareLines(from, tgt) < 0 && catalog.CompareLines(catalog.LineOf(to), tgt) >= 0 {
					for _, o := range p.Nodes {
						// The node's release at this moment, not its starting one.
						if o.Name != n && o.Kind != eval.KindSMGR && catalog.CompareLines(catalog.LineOf(rel[o.Name]), cat.Rules.SMGRSSPFrom) >= 0 && !sspOK[o.Name] {
							return fmt.Errorf("%s: SMGR goes to %s before %s (on %s) has the latest SSP", id, to, o.Name, rel[o.Name])
						}
					}
				}
			} else {
				if smgrName != "" && catalog.CompareLines(catalog.LineOf(rel[smgrName]), catalog.LineOf(to)) < 0 {
					return fmt.Errorf("%s: hop to %s while SMGR is on %s", id, to, rel[smgrName])
				}
				if n != peerName && peerName != "" && catalog.CompareLines(catalog.LineOf(rel[peerName]), catalog.LineOf(to)) < 0 {
					return fmt.Errorf("%s: hop to %s while the geo-redundant secondary is on %s", id, to, rel[peerName])
				}
				if peerName != "" && n != peerName && catalog.CompareLines(settled, catalog.LineOf(to)) < 0 {
					return fmt.Errorf("%s: hop to %s before the geo-redundant pair is back together with replication on there (last on %s)", id, to, settled)
				}
				if kind[n] == eval.KindBSM {
					// A BSM crosses lines only once its core SMs (the plan
					// document's core) reached its target; a patch waits
					// for them to be on its line.
					cross := catalog.LineOf(s.Hop.From) != catalog.LineOf(to)
					for _, o := range coreOf[n] {
						if catalog.CompareLines(catalog.LineOf(rel[o]), catalog.LineOf(to)) < 0 || (cross && catalog.Compare(rel[o], target[n]) < 0) {
							return fmt.Errorf("%s: BSM goes to %s while core %s is on %s", id, to, o, rel[o])
						}
					}
				}
				if lvl, ok := cat.LatestSSP(catalog.ProductSM, to); ok {
					sspOK[n] = false
					_ = lvl
				}
			}
			rel[n] = to
		}
		if n == smgrName || n == peerName {
			continue
		}
		// Enterprise-wide: lines among every core SM of every cluster, core
		// SMs out of service against policy.parallel, BSMs against
		// branch_parallel, a BSM never with a core SM of its cluster, a
		// node never with its secondary.
		lines := map[string]bool{}
		core, branch := 0, 0
		for _, o := range p.Nodes {
			if kind[o.Name] == eval.KindSM {
				lines[catalog.LineOf(rel[o.Name])] = true
			}
			if !oos[o.Name] {
				continue
			}
			switch kind[o.Name] {
			case eval.KindSM:
				core++
			case eval.KindBSM:
				branch++
				for _, m := range coreOf[o.Name] {
					if oos[m] {
						return fmt.Errorf("after %s: BSM %s and its core SM %s are both out of service", id, o.Name, m)
					}
				}
			}
			if sec := secondary[o.Name]; sec != "" && oos[sec] {
				return fmt.Errorf("after %s: %s and its secondary %s are both out of service", id, o.Name, sec)
			}
		}
		if len(lines) > cat.Rules.MaxLines {
			return fmt.Errorf("after %s: the enterprise's core SMs run %d lines %v", id, len(lines), lines)
		}
		if core > max(c.Runbook.Policy.Parallel, 1) || branch > max(c.Runbook.Policy.BranchParallel, 1) {
			return fmt.Errorf("after %s: %d core SMs and %d BSMs out of service in the enterprise (parallel %d, branch_parallel %d)",
				id, core, branch, c.Runbook.Policy.Parallel, c.Runbook.Policy.BranchParallel)
		}
	}
	for _, n := range p.Nodes {
		if rel[n.Name] != n.Target {
			return fmt.Errorf("node %s ends on %s, target %s", n.Name, rel[n.Name], n.Target)
		}
		if oos[n.Name] {
			return fmt.Errorf("node %s ends out of service", n.Name)
		}
		if replOff {
			return fmt.Errorf("the plan ends with System Manager replication off")
		}
		_ = startRel
	}
	return nil
}
