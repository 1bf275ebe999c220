package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/plan"
)

// TestPlanTextExecutionOrder: the human plan lists the steps in an order the
// executor's schedule allows (depends_on, one step per node, changing
// windows in the order they start and never interleaved), System Manager
// after the SSP passes that run before it, each step once.
func TestPlanTextExecutionOrder(t *testing.T) {
	t.Parallel()
	for _, ex := range []string{"core-cluster", "mixed-fleet", "enterprise"} {
		t.Run(ex, func(t *testing.T) {
			t.Parallel()
			doc, stderr, code := runCLI(t, "", "plan", "--json", "--no-color", examples+"/"+ex)
			wantCode(t, code, 0, doc, stderr, "plan --json")
			var p plan.Plan
			if err := json.Unmarshal([]byte(doc), &p); err != nil {
				t.Fatal(err)
			}
			pos := map[string]int{}
			var seq []*plan.Step
			for _, b := range executionBlocks(&p) {
				for _, s := range b.Steps {
					if s.Node != b.Node || s.Hop != b.Hop {
						t.Errorf("block %s hop %d holds %s", b.Node, b.Hop.Index, s.ID)
					}
					if _, dup := pos[s.ID]; dup {
						t.Errorf("%s printed twice", s.ID)
					}
					pos[s.ID] = len(seq)
					seq = append(seq, s)
				}
			}
			if len(seq) != len(p.Steps) {
				t.Fatalf("%d steps printed, the plan has %d", len(seq), len(p.Steps))
			}
			sched := map[string]int{}
			for i, id := range p.Order {
				sched[id] = i
			}
			lastOfNode := map[string]*plan.Step{}
			for _, s := range seq {
				for _, d := range s.DependsOn {
					if pos[d] > pos[s.ID] {
						t.Errorf("%s printed before its dependency %s", s.ID, d)
					}
				}
				if l := lastOfNode[s.Node]; l != nil && sched[l.ID] > sched[s.ID] {
					t.Errorf("%s printed after %s, which the node runs later", s.ID, l.ID)
				}
				lastOfNode[s.Node] = s
			}
			// Changing steps of different nodes keep the schedule's order of
			// their windows: once a node's window opened in the text, no
			// other node's window opens before it closes.
			open := ""
			for i, s := range seq {
				if !changing(s) {
					continue
				}
				if open != "" && open != s.Node {
					t.Errorf("%s opens a window while %s's is still open (step %d)", s.ID, open, i)
				}
				open = s.Node
				if i+1 < len(seq) && (seq[i+1].Node != s.Node || !changing(seq[i+1])) {
					open = ""
				}
			}
		})
	}
}

// TestPlanTextReadable: one line per step with its estimate, the fact
// reads as one count, the runtime and manifest guards around it, System
// Manager where it runs, a summary with the window first; -v prints every
// command.
func TestPlanTextReadable(t *testing.T) {
	t.Parallel()
	out, stderr, code := runCLI(t, "", "plan", "--no-color", examples+"/mixed-fleet")
	wantCode(t, code, 0, out, stderr, "plan")
	if !strings.Contains(out, "6 node(s), 82 step(s), estimated 18h58m, 7 warning(s); no maintenance window") {
		t.Errorf("no summary line:\n%s", out)
	}
	ssp := strings.Index(out, "  sm-hq-2  SSP pass on 8.1.3.8")
	smgr := strings.Index(out, "  smgr  hop 1: 8.1.3.8 -> 10.2.0.1")
	if ssp < 0 || smgr < 0 || smgr < ssp {
		t.Errorf("System Manager is not printed after the SSP passes that run before it (ssp at %d, smgr at %d)", ssp, smgr)
	}
	if strings.Contains(out, "$ ") {
		t.Errorf("plan without -v prints commands")
	}
	for _, want := range []string{
		"   * drain        sm.drain     ~10m00s  2 commands; before: cluster.out_of_service, window.closed, peer.unavailable, artifact.checksum, artifact.release; after: calls.active",
		"     precheck     sm.precheck  ~5m00s   facts (10 read-only commands) + 1 command; before: time.skew, firewall.ports, node.services",
		"      static: path.multi_hop (warning)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("plan text lacks %q", want)
		}
	}

	ent, stderr, code := runCLI(t, "", "plan", "--no-color", examples+"/enterprise")
	wantCode(t, code, 0, ent, stderr, "plan enterprise")
	if !strings.Contains(ent, "window 2026-12-11T22:00:00Z to 2026-12-12T10:00:00Z (12h00m)") {
		t.Errorf("the summary does not name the window")
	}
	if !strings.Contains(ent, "before: var-space, window.closed, order.smgr_first") {
		t.Errorf("the manifest's guard block is not listed before the upgrade it protects")
	}

	verbose, stderr, code := runCLI(t, "", "plan", "-v", "--no-color", examples+"/mixed-fleet")
	wantCode(t, code, 0, verbose, stderr, "plan -v")
	doc, _, _ := runCLI(t, "", "plan", "--json", "--no-color", examples+"/mixed-fleet")
	var p plan.Plan
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range p.Steps {
		n += len(s.Commands)
	}
	if got := strings.Count(verbose, "        $ "); got != n {
		t.Errorf("plan -v prints %d commands, the plan has %d", got, n)
	}
}
