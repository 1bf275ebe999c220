package plan

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
)

// TestGarbageNeverPanics feeds malformed and odd values through Compile:
// every outcome must be a plan plus diagnostics.
func TestGarbageNeverPanics(t *testing.T) {
	odd := []string{"", "x", "10.2", "10.2.0", "10.2.0.1.5", "-1.0.0.0", "99.0.0.0", "10.2.0.1", "8.1.3.8", "6.3.0.0", "7.0.1.3"}
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		c := newConfig(odd[r.Intn(len(odd))])
		c.Runbook.Policy.Parallel = r.Intn(3) - 1
		c.Runbook.Policy.BranchParallel = r.Intn(3) - 1
		c.Runbook.Policy.Durations = nil
		if r.Intn(2) == 0 {
			smgr(c, odd[r.Intn(len(odd))]).Target = odd[r.Intn(len(odd))]
		}
		cl := addCluster(c, "c")
		for j := 0; j < 1+r.Intn(4); j++ {
			n := sm(cl, fmt.Sprintf("n%d", j), odd[r.Intn(len(odd))], r.Intn(100)-1)
			n.Target = odd[r.Intn(len(odd))]
			n.Attrs = nil
			if r.Intn(3) == 0 {
				n.Kind = eval.KindBSM
			}
			n.Secondary = fmt.Sprintf("n%d", r.Intn(5))
		}
		c.Steps = []*eval.Step{{Name: "s", Module: "shell", Before: "nope", Nodes: []string{"[", "*"}}}
		c.Ctx = nil
		p, _ := Compile(c, catalog.Default(), Options{})
		if p == nil || p.Order == nil || p.Diagnostics == nil {
			t.Fatal("incomplete plan")
		}
	}
}

func TestPolicyDurationsOverrideCatalog(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.Durations = map[string]time.Duration{"upgrade": 7 * time.Minute}
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
	p, _ := compile(t, c)
	if s := p.StepByID("core/sm-a/1/upgrade"); s == nil || s.EstimateS != 420 {
		t.Fatalf("upgrade estimate: %+v", s)
	}
	if s := p.StepByID("core/sm-a/1/backup"); s == nil || s.EstimateS != int(catalog.Default().Estimate(catalog.ProductSM, "backup").Seconds()) {
		t.Fatalf("backup estimate: %+v", s)
	}
	var sum int
	for _, s := range p.Steps {
		sum += s.EstimateS
	}
	if p.EstimatedDurationS != sum { // one node: the schedule is serial
		t.Fatalf("duration %d, serial sum %d", p.EstimatedDurationS, sum)
	}
}

func TestToDiagnostics(t *testing.T) {
	r := hcl.Range{Filename: "a.hcl", Start: hcl.Pos{Line: 3, Column: 5}}
	d := guardDiag("path.downgrade", "error", "sm-a", &r, "msg", "fix")
	out := ToDiagnostics(hcl.Diagnostics{d, {Severity: hcl.DiagWarning, Summary: "plain"}})
	if out[0].Rule != "path.downgrade" || out[0].Node != "sm-a" || out[0].Severity != "error" ||
		out[0].Summary != "path.downgrade: msg" || out[0].Detail != "fix" || *out[0].Range != (Range{"a.hcl", 3, 5}) {
		t.Errorf("%+v", out[0])
	}
	if out[1].Rule != "" || out[1].Severity != "warning" || out[1].Range != nil {
		t.Errorf("%+v", out[1])
	}
}

func TestRedacted(t *testing.T) {
	p := &Plan{Steps: []*Step{{ID: "a", Commands: []string{"login hunter2x"}, Args: map[string]string{"command": "echo hunter2x hunter2"}}},
		Diagnostics: []Diagnostic{{Summary: "bad hunter2"}}}
	r := p.Redacted([]string{"hunter2", "hunter2x", ""})
	if r.Steps[0].Commands[0] != "login (sensitive)" || r.Steps[0].Args["command"] != "echo (sensitive) (sensitive)" || r.Diagnostics[0].Summary != "bad (sensitive)" {
		t.Fatalf("%+v %+v", r.Steps[0], r.Diagnostics)
	}
	if p.Steps[0].Args["command"] != "echo hunter2x hunter2" {
		t.Fatal("Redacted changed the original plan")
	}
}
