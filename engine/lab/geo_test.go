package lab

import (
	"slices"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
)

// A geo-redundant System Manager pair rehearses in the lab: the primary is
// upgraded, then the secondary, with replication disabled before the
// primary's upgrade and enabled again (on the primary) after the secondary's
// verify, and the SMs after both.
func TestApplyGeoPairAgainstTheLab(t *testing.T) {
	l, res, err, log := applyExample(t, "testdata/geo-pair", nil)
	if err != nil {
		for _, e := range log.ev {
			t.Logf("%s %s %s %s %s", e.Type, e.Node, e.Step, e.Status, e.Message)
		}
		t.Fatalf("apply: %v", err)
	}
	if len(res.Failed) > 0 || len(res.Incomplete) > 0 {
		t.Fatalf("failed %v, incomplete %v", res.Failed, res.Incomplete)
	}
	for _, node := range []string{"smgr-dal", "smgr-chi", "sm-a", "sm-b"} {
		snap, err := l.Show(node)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Release != "10.2.0.1" || snap.Count("upgrade") != 1 || snap.ReplicationOff {
			t.Errorf("%s after apply: release %s, %d upgrades, replication off %v", node, snap.Release, snap.Count("upgrade"), snap.ReplicationOff)
		}
	}
	// The order the steps ended in.
	var done []string
	for _, e := range log.ev {
		if e.Type == record.EventStepEnd && e.Status == record.StepOK {
			done = append(done, e.Step)
		}
	}
	at := func(id string) int {
		i := slices.Index(done, id)
		if i < 0 {
			t.Fatalf("%s did not run: %v", id, done)
		}
		return i
	}
	chain := []string{
		"smgr/smgr-dal/1/replication_off", "smgr/smgr-dal/1/upgrade", "smgr/smgr-dal/1/verify",
		"smgr/smgr-chi/1/upgrade", "smgr/smgr-chi/1/verify", "smgr/smgr-dal/1/replication_on",
	}
	for i := 1; i < len(chain); i++ {
		if at(chain[i-1]) > at(chain[i]) {
			t.Errorf("%s ran after %s", chain[i-1], chain[i])
		}
	}
	for _, sm := range []string{"core/sm-a/1/upgrade", "core/sm-b/1/upgrade"} {
		if at(sm) < at("smgr/smgr-dal/1/replication_on") {
			t.Errorf("%s ran before the pair was done", sm)
		}
	}
	// Replication is switched on the primary only.
	for _, node := range []string{"smgr-dal", "smgr-chi"} {
		snap, _ := l.Show(node)
		want := map[string]int{"smgr-dal": 1, "smgr-chi": 0}[node]
		if snap.Count("replication_off") != want || snap.Count("replication_on") != want {
			t.Errorf("%s: %d replication_off, %d replication_on", node, snap.Count("replication_off"), snap.Count("replication_on"))
		}
	}
}
