package lab

import (
	"testing"
)

// The lab block's blocked_ports reach the node: over the lab's SSH, the
// simulated port check reports them unreachable and other ports reachable.
func TestBlockedPortsReachTheNode(t *testing.T) {
	cfg := testConfig("")
	cfg.Lab.Nodes["sm-chi"].BlockedPorts = []int{61617}
	l := startLab(t, cfg)
	for node, want := range map[string]map[string]int{
		"sm-chi": {"61617": 1, "443": 0},
		"sm-dal": {"61617": 0, "443": 0},
	} {
		for port, code := range want {
			_, stderr, got, err := run(t, dial(t, l, node), "nc -z -w 5 smgr.example.net "+port)
			if err != nil || got != code {
				t.Errorf("%s: nc %s: code %d (want %d), err %v, stderr %q", node, port, got, code, err, stderr)
			}
		}
	}
	if snap, err := l.Show("sm-chi"); err != nil || len(snap.BlockedPorts) != 1 || snap.BlockedPorts[0] != 61617 {
		t.Errorf("sm-chi blocked ports %v, %v", snap.BlockedPorts, err)
	}
}
