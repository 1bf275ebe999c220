package exec

import (
	"context"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
)

// testDriver is a Driver whose parts a test replaces one at a time. A nil
// part is the product's own with the embedded profile; ports is empty unless
// a test sets it (no firewall.ports check).
type testDriver struct {
	mods      map[string]modules.Module
	gather    func(ctx context.Context, c modules.Conn, kind string) (facts.Facts, error)
	ports     []catalog.Port
	portCheck func(ctx context.Context, c modules.Conn, kind, host string, port int) (bool, error)
}

var _ Driver = (*testDriver)(nil)

func (d *testDriver) Module(name string) modules.Module {
	if d.mods == nil {
		d.mods = registry.Modules(sm.DefaultProfile())
	}
	return d.mods[name]
}

func (d *testDriver) Gather(ctx context.Context, c modules.Conn, kind string) (facts.Facts, error) {
	if d.gather != nil {
		return d.gather(ctx, c, kind)
	}
	return sm.GatherFacts(ctx, c, kind, sm.DefaultProfile())
}

func (d *testDriver) PortReachable(ctx context.Context, c modules.Conn, kind, host string, port int) (bool, error) {
	if d.portCheck != nil {
		return d.portCheck(ctx, c, kind, host, port)
	}
	return sm.PortReachable(ctx, c, kind, sm.DefaultProfile(), host, port)
}

func (d *testDriver) ReadMedium(ctx context.Context, c modules.Conn, kind, path string) (sm.Medium, error) {
	return sm.ReadMedium(ctx, c, kind, sm.DefaultProfile(), path)
}

func (d *testDriver) FirewallPorts() []catalog.Port { return d.ports }

// drv is the test driver of o, to replace one of its parts.
func drv(o Options) *testDriver { return o.Driver.(*testDriver) }
