package testkit

import (
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// SimNode creates a simulated node in a temporary folder named name (a
// Session Manager on 10.1.3.0 unless o says otherwise) and opens a LocalConn
// to it. It returns the node's folder, for sim.Show, sim.Update and faults.
func SimNode(t testing.TB, name string, o sim.Options, env sim.Env) (string, *sim.LocalConn) {
	t.Helper()
	if o.Kind == "" {
		o.Kind = sim.KindSM
	}
	if o.Release == "" {
		o.Release = "10.1.3.0"
	}
	dir := filepath.Join(t.TempDir(), name)
	if err := sim.Init(dir, o); err != nil {
		t.Fatal(err)
	}
	c, err := sim.NewLocalConn(dir, env)
	if err != nil {
		t.Fatal(err)
	}
	return dir, c
}

// Media writes a medium the simulator accepts into a temporary folder and
// returns its path and sha256.
func Media(t testing.TB, m sim.Media) (string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), m.Kind+"-"+m.Release+".bin")
	sum, err := sim.WriteMedia(p, m)
	if err != nil {
		t.Fatal(err)
	}
	return p, sum
}
