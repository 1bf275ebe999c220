package plan

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/dag"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// builder is the state the transforms share while a plan is built.
type builder struct {
	cfg   *eval.Config
	cat   *catalog.Catalog
	opts  Options
	diags hcl.Diagnostics
	plan  *Plan

	nodes  []*nodeState // SMGR first, then cluster nodes in manifest order
	byName map[string]*nodeState
	smgr   *nodeState
	// smgrPeer is the secondary of a geo-redundant System Manager pair (smgr
	// is its primary), nil without a well-formed pair (smgr.geo).
	smgrPeer *nodeState
	// smgrGate is true when cluster hops must wait for SMGR (an SMGR is in
	// the manifest and its path is known).
	smgrGate bool

	graph *dag.Graph
	steps map[string]*Step
	// seq is the enterprise's unit sequence chosen by the order search:
	// every SM/BSM unit of every cluster, in one order, because the line
	// and out-of-service rules hold across the whole enterprise.
	seq []move
	// smgrBefore marks the positions of seq that an SMGR hop precedes in the
	// searched order: drained windows are never grouped across them.
	smgrBefore map[int]bool
	// ungated is true when the sequence ignores the SMGR rules (they could
	// not be met; order.smgr_first was reported).
	ungated bool
	// sspMarker is the position in seq where SMGR's hop into
	// smgr_ssp_target fits (len(seq) when no node needed it).
	sspMarker int
	// altWhy says why the search needed an alternative (longer) path for
	// some node: "line" (the line rule) or "order" (the order rules); "" when
	// every node is on its shortest path.
	altWhy string
	// missing media, for artifact.missing, in the order first needed.
	missing      map[string]*missingMedia
	missingOrder []string
	// chain is each node's steps in execution order.
	chain map[*nodeState][]string
	// afterOf maps a user step placed with after = PHASE to its anchor step.
	afterOf map[string]string
}

// nodeState is one node as the planner sees it.
type nodeState struct {
	n       *eval.Node
	product string
	release string // current release (declared, or from facts)
	ssp     int    // current SSP level, -1 unknown
	target  string
	// cores are, for a BSM, the core SMs it registers with: its core
	// attribute, else the core SMs of its cluster.
	cores []*nodeState
	// failed is true when the node's path could not be planned; it keeps its
	// release and gets no steps.
	failed bool
	// cands are the candidate unit sequences, best first; units is the one
	// the order search chose.
	cands  []candidate
	chosen int
	// rule1 is true when the node must carry the latest SSP before SMGR goes
	// to the catalog's smgr_ssp_target line.
	rule1 bool
	// unitSteps holds, per chosen unit, the ids of its steps in chain order.
	unitSteps [][]string
	// preSteps counts the Ansible-style user steps at the head of the chain;
	// chainSteps are their ids.
	preSteps   int
	chainSteps []string
}

// candidate is one supported path with its SSP pass inserted.
type candidate struct {
	path  catalog.Path
	units []unit
	// rank is the path's rank among the node's paths (0: the shortest);
	// the SSP variants of one path (t_units.go) share it.
	rank int
}

// unit is one hop or one SSP pass of a node: a drained window in the plan.
type unit struct {
	ssp      bool
	index    int // hop index from 1; 0 for the SSP pass
	from, to string
	level    int // SSP level for the SSP pass
	patch    bool
}

// move is one unit of one node in the enterprise's sequence.
type move struct {
	node *nodeState
	unit int // index into the node's chosen units
}

func (n *nodeState) units() []unit {
	if n.failed || len(n.cands) == 0 {
		return nil
	}
	return n.cands[n.chosen].units
}

func (n *nodeState) isCore() bool { return n.n.Kind.Spec().Core }
func (n *nodeState) isBSM() bool  { return n.n.Kind.Spec().Branch }
func (n *nodeState) isSMGR() bool { return n.n.Kind == rollout.KindSMGR }

// attr returns the range of an attribute of the node, or the node's range.
func (n *nodeState) attr(name string) hcl.Range {
	if r, ok := n.n.Attrs[name]; ok {
		return r
	}
	return n.n.Range
}
