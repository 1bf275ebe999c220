// Package driver is the product a run upgrades, built once at load from the
// release catalog and the command profile: the modules that carry out each
// step, how facts are read, how a port and a medium are checked from a node,
// and how a step's commands are rendered for the plan text and the dry-run.
//
// The CLI builds one Driver and hands it to the planner (for rendering) and
// to the executor (as its one product option), so the profile is threaded
// through no other layer and every reader of the profile sees the same one:
// the site's blocks merged over the embedded profile.
package driver

import (
	"context"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Driver binds the Session Manager modules to one command profile and one
// catalog. It holds no connection and no state of a run: one Driver serves
// every run and every node.
type Driver struct {
	prof  *sm.Profile
	mods  map[string]modules.Module
	ports []catalog.Port
}

// New builds the driver of a catalog (nil: the embedded one) and a command
// profile (nil: the embedded one).
func New(cat *catalog.Catalog, prof *sm.Profile) *Driver {
	if cat == nil {
		cat = catalog.Default()
	}
	if prof == nil {
		prof = sm.DefaultProfile()
	}
	return &Driver{prof: prof, mods: registry.Modules(prof), ports: cat.Firewall}
}

// Module returns the module a step names (sm.drain, shell …), nil when none.
func (d *Driver) Module(name string) modules.Module { return d.mods[name] }

// Gather reads a node's facts over conn, read-only.
func (d *Driver) Gather(ctx context.Context, conn modules.Conn, kind string) (facts.Facts, error) {
	return sm.GatherFacts(ctx, conn, kind, d.prof)
}

// PortReachable reports whether the node behind conn reaches host:port over
// TCP (the profile's port_check action), read-only: a non-zero exit is
// false, a transport failure or a command the node lacks an error.
func (d *Driver) PortReachable(ctx context.Context, conn modules.Conn, kind, host string, port int) (bool, error) {
	return sm.PortReachable(ctx, conn, kind, d.prof, host, port)
}

// ReadMedium reads an uploaded medium on the node behind conn, read-only:
// its sha256 there and what it declares (kind, product, release, SSP level).
func (d *Driver) ReadMedium(ctx context.Context, conn modules.Conn, kind, path string) (sm.Medium, error) {
	return sm.ReadMedium(ctx, conn, kind, d.prof, path)
}

// FirewallPorts is the catalog's port matrix (the firewall.ports guard
// checks its rows from Session Manager to System Manager).
func (d *Driver) FirewallPorts() []catalog.Port { return d.ports }

// Commands renders the command lines a task of module will run, for the
// plan text and the dry-run; it touches no connection. A module that cannot
// render says why in a comment line, so the plan shows the problem.
func (d *Driver) Commands(module string, t modules.Task) []string {
	m := d.mods[module]
	if m == nil {
		return nil
	}
	cmds, err := m.Commands(t)
	if err != nil {
		return []string{"# cannot render: " + err.Error()}
	}
	return cmds
}
