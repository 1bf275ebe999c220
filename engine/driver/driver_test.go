package driver

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
)

// The driver of the embedded catalog and profile renders what the modules
// render, carries the catalog's port matrix, and says in the plan why a step
// cannot be rendered instead of printing nothing.
func TestDriverRendersWithItsProfile(t *testing.T) {
	d := New(nil, nil)
	if len(d.FirewallPorts()) == 0 || len(d.FirewallPorts()) != len(catalog.Default().Firewall) {
		t.Fatalf("ports %v", d.FirewallPorts())
	}
	task := modules.Task{Node: "sm1", Kind: "session_manager", Phase: "drain"}
	want, err := registry.Modules(sm.DefaultProfile())["sm.drain"].Commands(task)
	if err != nil || len(want) == 0 {
		t.Fatalf("module: %v %v", want, err)
	}
	if got := d.Commands("sm.drain", task); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("driver renders %q, module %q", got, want)
	}
	if d.Module("sm.drain") == nil || d.Module("no.such") != nil || d.Commands("no.such", task) != nil {
		t.Error("module lookup")
	}
	bad := modules.Task{Node: "sm1", Kind: "no_such_kind", Phase: "drain"}
	if got := d.Commands("sm.drain", bad); len(got) != 1 || !strings.HasPrefix(got[0], "# cannot render: ") {
		t.Errorf("unrenderable step: %q", got)
	}
}
