package sm

import (
	"context"

	"github.com/runbook-dev/runbook/modules"
	filecopy "github.com/runbook-dev/runbook/modules/copy"
	"github.com/runbook-dev/runbook/modules/shell"
	"github.com/runbook-dev/runbook/modules/wait"
)

// Modules returns every module by name: the sm.* actions bound to profile p,
// and the generic shell, copy, wait and pause modules for user steps.
func Modules(p *Profile) map[string]modules.Module {
	ms := []modules.Module{
		FactsModule{p}, Precheck{p}, Backup{p}, Upload{p}, Drain{p}, SSP{p}, Upgrade{p},
		NewRestore(p), NewMigrate(p), Verify{p}, Undrain{p},
		shell.Module{}, filecopy.Module{}, wait.Module{}, wait.Pause{},
	}
	out := make(map[string]modules.Module, len(ms))
	for _, m := range ms {
		out[m.Name()] = m
	}
	return out
}

// Confirmer is implemented by the modules whose change reboots the node
// (sm.ssp, sm.upgrade). After Run returned an error matching ErrRebooting
// and the engine reconnected, Confirm reads facts on the new connection and
// says whether the change took: the outcome comes from the node, the install
// is never re-run blindly.
type Confirmer interface {
	Confirm(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error)
}
