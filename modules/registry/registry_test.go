package registry_test

import (
	"testing"

	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Every entry builds the module its Spec names, each name is registered
// once, and every module and argument carries its doc line.
func TestEntriesMatchTheirModules(t *testing.T) {
	p := sm.DefaultProfile()
	seen := map[string]bool{}
	for _, e := range registry.Entries() {
		if got := e.New(p).Name(); got != e.Spec.Name {
			t.Errorf("entry %q builds module %q", e.Spec.Name, got)
		}
		if seen[e.Spec.Name] {
			t.Errorf("%q registered twice", e.Spec.Name)
		}
		seen[e.Spec.Name] = true
		if e.Spec.Doc == "" {
			t.Errorf("%q has no doc line", e.Spec.Name)
		}
		args := map[string]bool{}
		for _, a := range e.Spec.Args {
			if a.Doc == "" || args[a.Name] {
				t.Errorf("%s.%s: missing doc or declared twice", e.Spec.Name, a.Name)
			}
			args[a.Name] = true
		}
	}
	if ms := registry.Modules(p); len(ms) != len(seen) {
		t.Errorf("Modules built %d modules for %d entries", len(ms), len(seen))
	}
	if _, ok := registry.Spec("sm.drain"); !ok {
		t.Error("sm.drain not found")
	}
}
