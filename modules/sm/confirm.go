package sm

import (
	"context"

	"github.com/runbook-dev/runbook/modules"
)

// Confirmer is implemented by the modules whose change reboots the node
// (sm.ssp, sm.upgrade). After Run returned an error matching ErrRebooting
// and the engine reconnected, Confirm reads facts on the new connection and
// says whether the change took: the outcome comes from the node, the install
// is never re-run blindly.
type Confirmer interface {
	Confirm(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error)
}
