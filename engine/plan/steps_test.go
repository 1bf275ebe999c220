package plan

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
)

func designExample() *eval.Config {
	c := newConfig("10.2.0.1")
	smgr(c, "10.1.3.0")
	cl := addCluster(c, "core")
	sm(cl, "sm-dal", "8.1.3.8", 41).Secondary = "sm-chi"
	sm(cl, "sm-chi", "8.1.3.8", -1).Secondary = "sm-dal"
	bsm(cl, "bsm-austin", "8.1.3.8", -1)
	c.Artifacts = []*eval.Artifact{
		{Name: "sm-10-2-0-1", Kind: "release", Product: "session_manager", Release: "10.2.0.1", File: "media/Session_Manager_10.2.0.1.0.bin", SHA256: "aa"},
		{Name: "smgr-10-2-0-1", Kind: "release", Product: "system_manager", Release: "10.2.0.1", File: "media/SMGR-10.2.0.1.bin", SHA256: "bb"},
		{Name: "ssp-8-1-3-8", Kind: "ssp", Product: "session_manager", Release: "8.1.3.8", File: "media/SSP-8.1.3.8-41.bin", SHA256: "cc"},
	}
	return c
}

func TestStepConventions(t *testing.T) {
	var tasks []modules.Task
	opts := Options{Commands: func(module string, task modules.Task) []string {
		tasks = append(tasks, task)
		return []string{module + " " + task.Node}
	}}
	p, diags := Compile(designExample(), catalog.Default(), opts)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	get := func(id string) *Step {
		s := p.StepByID(id)
		if s == nil {
			t.Fatalf("no step %s; have %v", id, p.Order)
		}
		return s
	}
	// The SSP pass is hop 0 on the current release; sm-dal has the latest SSP and needs none.
	ssp := get("core/sm-chi/0/ssp")
	if ssp.Hop != (Hop{0, "8.1.3.8", "8.1.3.8"}) || ssp.Module != "sm.ssp" || !ssp.OutOfService ||
		ssp.Args["media"] != "/var/tmp/runbook/SSP-8.1.3.8-41.bin" || ssp.Args["sha256"] != "cc" || ssp.Args["ssp"] != "41" {
		t.Errorf("ssp step: %+v", ssp)
	}
	if p.StepByID("core/sm-dal/0/ssp") != nil {
		t.Error("sm-dal declares the latest SSP but got an SSP pass")
	}
	up := get("core/sm-dal/1/upload")
	if want := map[string]string{"artifact": "sm-10-2-0-1", "local": "media/Session_Manager_10.2.0.1.0.bin",
		"remote": "/var/tmp/runbook/Session_Manager_10.2.0.1.0.bin", "sha256": "aa"}; !reflect.DeepEqual(up.Args, want) || up.OutOfService {
		t.Errorf("upload args %v", up.Args)
	}
	if a := get("core/sm-dal/1/backup").Args; a["store"] != "backups" {
		t.Errorf("backup args %v", a)
	}
	if a := get("core/sm-dal/1/drain").Args; a["max_active_calls"] != "0" || a["drain_timeout"] != "30m0s" {
		t.Errorf("drain args %v", a)
	}
	if a := get("core/sm-dal/1/verify").Args; a["release"] != "10.2.0.1" {
		t.Errorf("verify args %v", a)
	}
	if a := get("core/sm-dal/1/upgrade").Args; a["media"] != "/var/tmp/runbook/Session_Manager_10.2.0.1.0.bin" {
		t.Errorf("upgrade args %v", a)
	}
	get("core/sm-dal/1/restore") // across lines with backup_restore
	// Phase chain of one hop.
	var phases []string
	for _, s := range p.Steps {
		if s.Node == "sm-dal" && s.Hop.Index == 1 {
			phases = append(phases, string(s.Phase))
		}
	}
	if strings.Join(phases, ",") != "precheck,backup,upload,drain,upgrade,restore,verify,undrain" {
		t.Errorf("phases %v", phases)
	}
	if d := get("core/sm-dal/1/backup").DependsOn; !reflect.DeepEqual(d, []string{"core/sm-dal/1/precheck"}) {
		t.Errorf("backup depends on %v", d)
	}
	// SMGR has no drained window, and goes to 10.2 only after the SSP passes.
	if p.StepByID("smgr/smgr/1/drain") != nil || get("smgr/smgr/1/upgrade").OutOfService {
		t.Error("SMGR steps must not drain")
	}
	pre := get("smgr/smgr/1/precheck").DependsOn
	if !reflect.DeepEqual(pre, []string{"core/sm-chi/0/undrain", "core/bsm-austin/0/undrain"}) {
		t.Errorf("smgr precheck depends on %v", pre)
	}
	// SM hops to 10.2 wait for SMGR.
	if d := get("core/sm-dal/1/precheck").DependsOn; !reflect.DeepEqual(d, []string{"smgr/smgr/1/verify"}) {
		t.Errorf("sm-dal precheck depends on %v", d)
	}
	// Commands come from the callback with the task contract.
	if c := get("core/sm-dal/1/drain").Commands; !reflect.DeepEqual(c, []string{"sm.drain sm-dal"}) {
		t.Errorf("commands %v", c)
	}
	for _, task := range tasks {
		if task.Node == "smgr" && task.Kind != string(eval.KindSMGR) || task.From == "" || task.To == "" {
			t.Errorf("task %+v", task)
		}
	}
	// Nodes and paths.
	if n := p.Nodes[1]; n.Name != "sm-dal" || !reflect.DeepEqual(n.Path, []string{"8.1.3.8", "10.2.0.1"}) || n.Secondary != "sm-chi" {
		t.Errorf("node %+v", n)
	}
	if p.EstimatedDurationS <= 0 || len(p.Order) != len(p.Steps) {
		t.Errorf("duration %d, order %d of %d", p.EstimatedDurationS, len(p.Order), len(p.Steps))
	}
	if err := checkInvariants(designExample(), catalog.Default(), p); err != nil {
		t.Error(err)
	}
}

func TestNilCommandsGiveEmptyLists(t *testing.T) {
	p, _ := compile(t, designExample())
	for _, s := range p.Steps {
		if s.Commands == nil || s.DependsOn == nil {
			t.Fatalf("%s: nil list", s.ID)
		}
	}
}

func TestDataMigrationAndPatchPhases(t *testing.T) {
	c := newConfig("10.2.0.1")
	c.Runbook.Policy.Method = "data_migration"
	sm(addCluster(c, "core"), "sm-a", "8.1.2.0", 99)
	p, _ := compile(t, c)
	var got []string
	for _, s := range p.Steps {
		got = append(got, strings.TrimPrefix(s.ID, "core/sm-a/"))
	}
	want := "1/precheck 1/backup 1/upload 1/drain 1/upgrade 1/verify 1/undrain " +
		"0/precheck 0/backup 0/upload 0/drain 0/ssp 0/verify 0/undrain " +
		"2/precheck 2/backup 2/upload 2/drain 2/migrate 2/verify 2/undrain"
	if strings.Join(got, " ") != want {
		t.Fatalf("steps:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
}

func TestFactsOverrideDeclared(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "8.1.3.8", -1)
	p, _ := Compile(c, catalog.Default(), Options{Facts: map[string]facts.Facts{"sm-a": {Release: "10.1.3.0", SSP: 5}}})
	if n := p.Nodes[0]; n.Release != "10.1.3.0" || n.SSP != 5 || len(n.Path) != 2 {
		t.Fatalf("node %+v", n)
	}
}

func expr(t *testing.T, src string) hcl.Expression {
	e, diags := hclsyntax.ParseExpression([]byte(src), "steps.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return e
}

func TestUserSteps(t *testing.T) {
	c := newConfig("10.2.0.1")
	cl := addCluster(c, "core")
	sm(cl, "sm-a", "10.1.3.0", 99)
	sm(cl, "sm-b", "10.1.3.0", 99)
	c.Steps = []*eval.Step{
		{Name: "notify", Module: "shell", Nodes: []string{"sm-*"}, Before: "drain",
			Args: map[string]hcl.Expression{"command": expr(t, `"logger draining ${node.name}"`)}},
		{Name: "inside", Module: "shell", Nodes: []string{"sm-a"}, After: "upgrade",
			Args: map[string]hcl.Expression{"command": expr(t, `"df ${facts.disk}"`)}},
		{Name: "first", Module: "wait", Args: map[string]hcl.Expression{"duration": expr(t, `"90s"`)}},
		{Name: "second", Module: "pause", DependsOn: []string{"first"}, Args: map[string]hcl.Expression{"message": expr(t, `"ok?"`)}},
	}
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	n := p.StepByID("core/sm-b/1/notify")
	if n == nil || n.Args["command"] != "logger draining sm-b" || n.OutOfService || n.Module != "shell" {
		t.Fatalf("notify: %+v", n)
	}
	if d := p.StepByID("core/sm-b/1/drain").DependsOn; !contains(d, "core/sm-b/1/notify") {
		t.Errorf("drain does not wait for notify: %v", d)
	}
	in := p.StepByID("core/sm-a/1/inside")
	if in == nil || !in.OutOfService || in.Args["command"] != FactsPlaceholder {
		t.Fatalf("inside: %+v", in)
	}
	if p.StepByID("core/sm-b/1/inside") != nil {
		t.Error("nodes glob ignored")
	}
	first := p.StepByID("core/sm-a/0/first")
	if first == nil || first.EstimateS != 90 {
		t.Fatalf("first: %+v", first)
	}
	// Ansible-style chain: second after first on the node; the node's hops after the chain;
	// sm-b's chain after sm-a's.
	if d := p.StepByID("core/sm-a/0/second").DependsOn; !contains(d, "core/sm-a/0/first") {
		t.Errorf("second depends on %v", d)
	}
	if d := p.StepByID("core/sm-a/1/precheck").DependsOn; !contains(d, "core/sm-a/0/second") {
		t.Errorf("hop does not follow the chain: %v", d)
	}
	if d := p.StepByID("core/sm-b/0/first").DependsOn; !contains(d, "core/sm-a/0/second") {
		t.Errorf("chains of one cluster overlap: %v", d)
	}
	if err := checkInvariants(c, catalog.Default(), p); err != nil {
		t.Error(err)
	}
}

func TestUserStepCycleIsReported(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "10.2.0.1", 99)
	c.Steps = []*eval.Step{
		{Name: "x", Module: "pause", DependsOn: []string{"y"}, Range: rng("x")},
		{Name: "y", Module: "pause", DependsOn: []string{"x"}, Range: rng("y")},
	}
	_, diags := compile(t, c)
	if !hasRule(diags, "plan.cycle", hcl.DiagError) {
		t.Fatalf("want plan.cycle, got %v", diags)
	}
}

func TestUserStepNamedLikeAPhase(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
	c.Steps = []*eval.Step{{Name: "drain", Module: "pause", Before: "drain", Range: rng("step")}}
	_, diags := compile(t, c)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Step name taken by a phase") {
		t.Fatalf("want a duplicate id error, got %v", diags)
	}
}

// TestUserStepIsNeverAPlannedPhase: a step block named like a phase, with
// that phase's module, is marked as a user step in the plan document; the
// planned steps are not.
func TestUserStepIsNeverAPlannedPhase(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
	c.Steps = []*eval.Step{{Name: "drain", Module: "sm.drain", Nodes: []string{"sm-a"}, Range: rng("step")}}
	p, diags := compile(t, c)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	us := p.StepByID("core/sm-a/0/drain")
	if us == nil || !us.User || us.Planned(PhaseDrain) {
		t.Fatalf("user step: %+v", us)
	}
	for _, s := range p.Steps {
		if s != us && s.User {
			t.Errorf("planned step %s marked user", s.ID)
		}
	}
	if d := p.StepByID("core/sm-a/1/drain"); d == nil || !d.Planned(PhaseDrain) {
		t.Fatalf("planned drain: %+v", d)
	}
	doc, err := json.Marshal(us)
	if err != nil || !strings.Contains(string(doc), `"user":true`) {
		t.Errorf("plan document of the user step: %s (%v)", doc, err)
	}
}

// TestUserUndrainInsideDrainedWindowRefused: a user step may not accept new
// service between a node's drain and its undrain.
func TestUserUndrainInsideDrainedWindowRefused(t *testing.T) {
	c := newConfig("10.2.0.1")
	sm(addCluster(c, "core"), "sm-a", "10.1.3.0", 99)
	c.Steps = []*eval.Step{{Name: "back", Module: "sm.undrain", After: "upgrade", Range: rng("step")}}
	_, diags := compile(t, c)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "accepts new service inside a drained window") {
		t.Fatalf("want an error, got %v", diags)
	}
	c.Steps[0].After = "undrain"
	if _, diags := compile(t, c); diags.HasErrors() {
		t.Fatalf("after the undrain it is allowed: %v", diags)
	}
}

func TestScheduleParallelAndRecompute(t *testing.T) {
	steps := []*Step{
		{ID: "a/n1/1/x", Node: "n1", Cluster: "a", EstimateS: 10},
		{ID: "b/n2/1/x", Node: "n2", Cluster: "b", EstimateS: 10},
		{ID: "smgr/s/1/x", Node: "s", Cluster: "smgr", EstimateS: 5},
		{ID: "a/n1/1/y", Node: "n1", Cluster: "a", EstimateS: 3, DependsOn: []string{"a/n1/1/x", "smgr/s/1/x"}},
	}
	// Nothing is drained: only dependencies and nodes bound the schedule.
	order, d := Schedule(steps, Limits{Parallel: 1}, nil)
	if d != 13 || strings.Join(order, " ") != "a/n1/1/x b/n2/1/x smgr/s/1/x a/n1/1/y" {
		t.Fatalf("parallel 1: %d %v", d, order)
	}
	if _, d2 := Schedule(steps, Limits{Parallel: 1}, order); d2 != 13 {
		t.Fatalf("recompute with the order as priority: %d", d2)
	}
}

func TestScheduleDrainedWindowHoldsASlot(t *testing.T) {
	steps := append(window("a", "n1", 1), &Step{ID: "b/n2/1/precheck", Node: "n2", Cluster: "b", Module: "sm.precheck", EstimateS: 5})
	steps = append(steps, window("b", "n2", 1)...)
	steps[len(steps)-3].DependsOn = []string{"b/n2/1/precheck"}
	lim := Limits{Parallel: 1, Nodes: []*Node{{Name: "n1", Kind: eval.KindSM}, {Name: "n2", Kind: eval.KindSM}}}
	// n2's precheck runs during n1's window; its drain waits for n1's undrain.
	order, d := Schedule(steps, lim, nil)
	if d != 2*windowS || strings.Join(order, " ") != "a/n1/1/drain b/n2/1/precheck a/n1/1/upgrade a/n1/1/undrain b/n2/1/drain b/n2/1/upgrade b/n2/1/undrain" {
		t.Fatalf("parallel 1: %d %v", d, order)
	}
	lim.Parallel = 2
	if _, d := Schedule(steps, lim, nil); d != 5+windowS {
		t.Fatalf("parallel 2: %d", d)
	}
	// A dependency on another node's step inside a drained window cannot
	// deadlock the simulation.
	steps[1].DependsOn = append(steps[1].DependsOn, "b/n2/1/upgrade")
	lim.Parallel = 1
	if order, _ := Schedule(steps, lim, nil); len(order) != len(steps) {
		t.Fatalf("deadlock: %v", order)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// A planned drain carries its arguments typed, and a plan document read
// back (apply PLANFILE) carries the same: the document keeps them as
// strings, and a hand-edited value that is no count or duration is refused
// when the plan is read, not when the node is drained.
func TestDrainArgsTypedAndReadBack(t *testing.T) {
	p, diags := Compile(designExample(), catalog.Default(), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s := p.StepByID("core/sm-dal/1/drain")
	want := DrainArgs{MaxActiveCalls: 0, Timeout: 30 * time.Minute}
	if s == nil || s.Drain == nil || *s.Drain != want {
		t.Fatalf("compiled drain: %+v", s)
	}
	if !reflect.DeepEqual(s.Args, map[string]string{"max_active_calls": "0", "drain_timeout": "30m0s"}) {
		t.Fatalf("document args: %v", s.Args)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, p) {
		t.Fatalf("plan read back differs:\n%+v\n%+v", back.StepByID(s.ID), s)
	}
	for _, bad := range []string{`"max_active_calls":"0"`, `"drain_timeout":"30m0s"`} {
		edited := strings.Replace(string(b), bad, strings.Replace(bad, `":"`, `":"soon`, 1), 1)
		if err := json.Unmarshal([]byte(edited), &back); err == nil || !strings.Contains(err.Error(), "core/sm-dal/1/drain") {
			t.Errorf("edited %s: err = %v", bad, err)
		}
	}
}
