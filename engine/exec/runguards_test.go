package exec

import (
	"testing"

	"github.com/runbook-dev/runbook/engine/guard"
)

// Every runtime guard the registry places around a phase has its check here,
// and every check here is such a guard: the registry alone says what runs.
func TestChecksMatchRegistry(t *testing.T) {
	for _, g := range guard.Rules {
		hooked := len(g.Before)+len(g.After) > 0
		if _, ok := checks[g.ID]; hooked && !ok {
			t.Errorf("%s runs around a phase but has no check", g.ID)
		}
	}
	for id := range checks {
		g, ok := guard.Lookup(id)
		if !ok || len(g.Before)+len(g.After) == 0 {
			t.Errorf("check %s is not a runtime guard of a phase in the registry", id)
		}
	}
}
