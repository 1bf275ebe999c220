package guard

import (
	"regexp"
	"testing"
)

// The README's guard table: every plan-time rule and its default severity.
func TestStaticTable(t *testing.T) {
	want := map[string]Severity{
		"path.unsupported": Error, "path.downgrade": Error, "path.multi_hop": Warning,
		"source.not_latest": Warning, "ssp.required": Warning, "platform.avp": Error,
		"platform.aws": Error, "cluster.releases": Error, "cluster.uds_split": Warning,
		"cluster.secondary": Error, "cluster.size": Error, "order.smgr_first": Error,
		"bsm.above_core": Error, "window.too_short": Error, "artifact.missing": Warning,
		"path.unknown_release": Error, "cluster.no_secondary": Warning, "policy.parallel": Warning,
		"calls.policy": Warning, "bsm.core": Error, "bsm.level": Warning,
	}
	for id, sev := range want {
		if Static[id] != sev {
			t.Errorf("%s: severity %q, want %q", id, Static[id], sev)
		}
	}
	shape := regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)
	for id := range Static {
		if !shape.MatchString(id) {
			t.Errorf("rule id %q is not of the form area.name", id)
		}
	}
}
