package exec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
)

// --cluster core while the primary System Manager is on 10.2 but its
// geo-redundant secondary is still on 10.1: the run is refused before any
// step, naming the secondary; once both are on 10.2 it goes through.
func TestSMGRFirstCoversTheGeoSecondary(t *testing.T) {
	for _, secondary := range []string{"10.1.3.0", "10.2.0.1"} {
		t.Run(secondary, func(t *testing.T) {
			w := newWorld(t)
			w.add("smgr", "smgr", eval.KindSMGR, "10.2.0.1")
			w.add("smgr-b", "smgr", eval.KindSMGR, secondary)
			w.add("sm1", "core", eval.KindSM, "10.1.3.0")
			p, cfg := buildPlan([]spec{
				{"smgr", "smgr", eval.KindSMGR, "10.2.0.1", "10.2.0.1", ""},
				{"sm1", "core", eval.KindSM, "10.1.3.0", "10.2.0.1", ""},
			})
			cfg.SMGR.Geo = "primary"
			cfg.SMGRSecondary = &eval.Node{Name: "smgr-b", Kind: eval.KindSMGR, Cluster: "smgr", Host: "127.0.0.1",
				Release: "10.1.3.0", SSP: -1, Geo: "secondary", Target: "10.2.0.1"}
			o := w.options(nil)
			o.Clusters = []string{"core"}
			_, err := New(o).Run(context.Background(), p, cfg)
			if secondary == "10.2.0.1" {
				if err != nil || w.nodes["sm1"].release != "10.2.0.1" {
					t.Fatalf("err = %v, sm1 %s", err, w.nodes["sm1"].release)
				}
				return
			}
			var ge *GuardError
			if !errors.As(err, &ge) || ge.ID != guard.OrderSMGRFirst || !strings.Contains(err.Error(), "smgr-b") || w.nodes["sm1"].upgrades != 0 {
				t.Fatalf("err = %v, want an order.smgr_first refusal naming smgr-b before the run", err)
			}
		})
	}
}

// --limit smgr-b (the geo-redundant secondary alone) for a patch within
// the line while the primary is still below its target (order.smgr_first,
// a rule of lines, does not see it): refused before any step, naming the
// primary; with the primary already at its target the secondary goes
// through.
func TestGeoSecondaryAloneNeedsItsPrimary(t *testing.T) {
	for _, primary := range []string{"10.2.0.0", "10.2.0.1"} {
		t.Run(primary, func(t *testing.T) {
			w := newWorld(t)
			w.add("smgr", "smgr", eval.KindSMGR, primary)
			w.add("smgr-b", "smgr", eval.KindSMGR, "10.2.0.0")
			p, cfg := buildPlan([]spec{
				{"smgr", "smgr", eval.KindSMGR, primary, "10.2.0.1", ""},
				{"smgr-b", "smgr", eval.KindSMGR, "10.2.0.0", "10.2.0.1", ""},
			})
			cfg.SMGR = &eval.Node{Name: "smgr", Kind: eval.KindSMGR, Cluster: "smgr", Host: "127.0.0.1",
				Release: primary, SSP: -1, Geo: "primary", Target: "10.2.0.1"}
			cfg.SMGRSecondary = &eval.Node{Name: "smgr-b", Kind: eval.KindSMGR, Cluster: "smgr", Host: "127.0.0.1",
				Release: "10.2.0.0", SSP: -1, Geo: "secondary", Target: "10.2.0.1"}
			o := w.options(nil)
			o.Limit = []string{"smgr-b"}
			_, err := New(o).Run(context.Background(), p, cfg)
			if primary == "10.2.0.1" {
				if err != nil || w.nodes["smgr-b"].release != "10.2.0.1" {
					t.Fatalf("err = %v, smgr-b %s", err, w.nodes["smgr-b"].release)
				}
				return
			}
			var ge *GuardError
			if !errors.As(err, &ge) || ge.ID != guard.SMGRGeo || !strings.Contains(err.Error(), "--limit smgr") || w.nodes["smgr-b"].upgrades != 0 {
				t.Fatalf("err = %v, want a smgr.geo refusal naming the primary before the run (smgr-b upgrades %d)", err, w.nodes["smgr-b"].upgrades)
			}
		})
	}
}
