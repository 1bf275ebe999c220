package eval_test

import (
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
)

// Two system_manager blocks are a geo-redundant pair: the one marked
// primary is cfg.SMGR whatever the block order, the other SMGRSecondary, and
// both are nodes of the manifest.
func TestGeoPairLoads(t *testing.T) {
	cfg := load(t, `
runbook "r" { target = "10.2.0.1" }
system_manager "smgr-b" {
  host    = "smgr-b.example.net"
  release = "10.1.3.0"
  geo     = "secondary"
}
system_manager "smgr-a" {
  host    = "smgr-a.example.net"
  release = "10.1.3.0"
  geo     = "primary"
}
`, eval.LoadOptions{})
	if cfg.SMGR == nil || cfg.SMGR.Name != "smgr-a" || cfg.SMGR.Geo != "primary" {
		t.Fatalf("primary = %+v", cfg.SMGR)
	}
	if cfg.SMGRSecondary == nil || cfg.SMGRSecondary.Name != "smgr-b" || cfg.SMGRSecondary.Cluster != "smgr" {
		t.Fatalf("secondary = %+v", cfg.SMGRSecondary)
	}
	if cfg.NodeByName("smgr-b") == nil {
		t.Fatal("the secondary is not a node of the manifest")
	}
}

func TestGeoRoleChecked(t *testing.T) {
	diags := loadErr(t, `
runbook "r" { target = "10.2.0.1" }
system_manager "smgr-a" {
  host    = "smgr-a.example.net"
  release = "10.1.3.0"
  geo     = "primry"
}
`, eval.LoadOptions{})
	if !strings.Contains(diags.Error(), "primary") {
		t.Fatalf("no suggestion: %v", diags)
	}
}
