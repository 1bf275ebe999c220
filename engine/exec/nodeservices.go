package exec

import (
	"context"

	"github.com/runbook-dev/runbook/engine/guard"
)

func init() { checks[guard.NodeServices] = (*run).nodeServicesGuard }

// nodeServicesGuard is node.services: every service of the node is up at its
// precheck, before anything of the hop changes it. A hop started on a sick
// node leaves a verify.services refusal that cannot tell the hop's damage
// from what was already broken, and a rollback that returns to a broken node.
func (r *run) nodeServicesGuard(ctx context.Context, e *guardEnv) error {
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	var gerr error
	if !f.AllServicesUp() {
		gerr = guardErr(guard.NodeServices, "services not up before the hop: %s; repair the node before changing it", downServices(f))
	}
	return r.check(e.s, e.ns.name, guard.NodeServices, gerr, "services up")
}
