package sm_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// BenchmarkFourNodeCrossLine runs a cross-line hop (8.1.3.8 -> 10.2.0.1,
// backup/upgrade/restore) on four nodes one after the other through the
// modules, at the default time scale: the simulated waits of a 4-node
// cluster upgrade, which the design keeps well under 30 s.
func BenchmarkFourNodeCrossLine(b *testing.B) {
	ctx := context.Background()
	ms := registry.Modules(sm.DefaultProfile())
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		base := b.TempDir()
		local := filepath.Join(base, "sm.bin")
		sum, _ := sim.WriteMedia(local, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
		b.StartTimer()
		for n := 0; n < 4; n++ {
			dir := filepath.Join(base, fmt.Sprintf("sm%d", n))
			if err := sim.Init(dir, sim.Options{Kind: sim.KindSM, Release: "8.1.3.8", SSP: 41, Users: 100, ActiveCalls: 10}); err != nil {
				b.Fatal(err)
			}
			c, _ := sim.NewLocalConn(dir, sim.Env{})
			t := func(args map[string]string) modules.Task {
				return modules.Task{Node: fmt.Sprint(n), Kind: sim.KindSM, From: "8.1.3.8", To: "10.2.0.1", Args: args}
			}
			bk, err := ms["sm.backup"].Run(ctx, c, t(map[string]string{"store": base}))
			if err != nil {
				b.Fatal(err)
			}
			ms["sm.upload"].Run(ctx, c, t(map[string]string{"local": local, "remote": "/var/tmp/runbook/sm.bin", "sha256": sum}))
			if _, err := ms["sm.drain"].Run(ctx, c, t(map[string]string{"poll": "100ms"})); err != nil {
				b.Fatal(err)
			}
			ms["sm.upgrade"].Run(ctx, c, t(map[string]string{"media": "/var/tmp/runbook/sm.bin", "sha256": sum}))
			c, _ = sim.NewLocalConn(dir, sim.Env{})
			if _, err := ms["sm.restore"].Run(ctx, c, t(bk.Values)); err != nil {
				b.Fatal(err)
			}
			if _, err := ms["sm.verify"].Run(ctx, c, t(map[string]string{"poll": "100ms"})); err != nil {
				b.Fatal(err)
			}
			ms["sm.undrain"].Run(ctx, c, t(nil))
		}
	}
}
