package sm_test

import (
	"context"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

var fast = sim.Env{TimeScale: 0.01}

// node creates a simulated node and a LocalConn to it.
func node(t *testing.T, o sim.Options) (string, *sim.LocalConn) {
	t.Helper()
	return testkit.SimNode(t, "sm-dal", o, fast)
}

func conn(t *testing.T, dir string) *sim.LocalConn {
	t.Helper()
	c, err := sim.NewLocalConn(dir, fast)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func show(t *testing.T, dir string) sim.Snapshot {
	t.Helper()
	s, err := sim.Show(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mod(name string) modules.Module { return registry.Modules(sm.DefaultProfile())[name] }

func runMod(t *testing.T, c modules.Conn, name string, task modules.Task) (modules.Outcome, error) {
	t.Helper()
	if task.Node == "" {
		task.Node = "sm-dal"
	}
	if task.Kind == "" {
		task.Kind = sim.KindSM
	}
	return mod(name).Run(context.Background(), c, task)
}

// mediaFile writes a medium on the controller side.
func mediaFile(t *testing.T, m sim.Media) (string, string) {
	t.Helper()
	return testkit.Media(t, m)
}

// dryConn records changing commands instead of running them, as the
// engine's dry-run connection does.
type dryConn struct{ *sim.LocalConn }

func (d dryConn) DryRun() bool { return true }
func (d dryConn) Run(ctx context.Context, c modules.Command) (modules.Result, error) {
	if !c.ReadOnly {
		return modules.Result{Skipped: true}, nil
	}
	return d.LocalConn.Run(ctx, c)
}
