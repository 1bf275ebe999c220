package progress

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules/sm"
)

// testSecret stands for a password that leaked into a message; every
// renderer must print it as (sensitive).
const testSecret = "hunter2-secret"

var t0 = time.Date(2026, 11, 25, 14, 3, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func fixedClock() time.Time { return at(95) }

// fixturePlan: SMGR, then a core cluster of two SMs; sm-dal's hop fails.
func fixturePlan() *plan.Plan {
	p := &plan.Plan{FormatVersion: "1", Runbook: "core-to-10-2", ChangeID: "CHG0031337",
		Nodes: []*plan.Node{
			{Name: "smgr", Kind: "system_manager", Cluster: "smgr", Release: "10.1.3.0", Target: "10.2.0.1"},
			{Name: "sm-dal", Kind: "session_manager", Cluster: "core", Release: "8.1.3.8", Target: "10.2.0.1"},
			{Name: "sm-chi", Kind: "session_manager", Cluster: "core", Release: "8.1.3.8", Target: "10.2.0.1"},
		}}
	add := func(cluster, node, from, to string, phases ...string) {
		for _, ph := range phases {
			id := cluster + "/" + node + "/1/" + ph
			p.Steps = append(p.Steps, &plan.Step{ID: id, Node: node, Cluster: cluster, Phase: rollout.Phase(ph), Hop: plan.Hop{Index: 1, From: from, To: to}})
			p.Order = append(p.Order, id)
		}
	}
	add("smgr", "smgr", "10.1.3.0", "10.2.0.1", "precheck", "upgrade", "verify")
	add("core", "sm-dal", "8.1.3.8", "10.2.0.1", "precheck", "backup", "drain", "upgrade", "restore", "verify", "undrain")
	add("core", "sm-chi", "8.1.3.8", "10.2.0.1", "precheck", "backup")
	return p
}

func nodeFacts(release string, calls int) sm.Facts {
	return sm.Facts{Release: release, SSP: 41, ServiceState: "accepting", ActiveCalls: calls, Users: 2000}
}

// fixtureEvents is a run of fixturePlan: SMGR upgrades, sm-dal drains its
// calls, fails to upgrade (with a secret in the error) and is rolled back.
func fixtureEvents() []record.Event {
	ex := record.ExitCode
	return []record.Event{
		{Type: record.EventRunStart, Time: at(0), Message: "apply of core-to-10-2 (CHG0031337) by ops"},
		{Type: record.EventFacts, Time: at(1), Node: "smgr", Message: "initial", Facts: sm.Facts{Release: "10.1.3.0", SSP: -1, Users: 12}},
		{Type: record.EventFacts, Time: at(1), Node: "sm-dal", Message: "initial", Facts: nodeFacts("8.1.3.8", 3)},
		{Type: record.EventGuard, Time: at(2), Node: "sm-dal", Guard: "facts.drift", Verdict: record.VerdictPass},
		{Type: record.EventStepStart, Time: at(2), Step: "smgr/smgr/1/precheck", Node: "smgr", Phase: "precheck", Message: "sm.precheck"},
		{Type: record.EventCommand, Time: at(3), Step: "smgr/smgr/1/precheck", Node: "smgr", Command: "bash -lc swversion", ExitCode: ex(0), DurationMS: 420, Status: "read_only", OutputTail: "Software Update Revision: 10.1.3.0\n"},
		{Type: record.EventStepEnd, Time: at(3), Step: "smgr/smgr/1/precheck", Node: "smgr", Phase: "precheck", Status: record.StepOK, DurationMS: 1000, Message: "all services up"},
		{Type: record.EventStepStart, Time: at(3), Step: "smgr/smgr/1/upgrade", Node: "smgr", Phase: "upgrade"},
		{Type: record.EventCommand, Time: at(20), Step: "smgr/smgr/1/upgrade", Node: "smgr", Command: "SMGRPatchdeploy --media /var/tmp/runbook/smgr.bin", Message: "connection lost"},
		{Type: "progress", Time: at(21), Node: "smgr", Message: "reconnecting to smgr (attempt 1 of 10)"},
		{Type: record.EventStepEnd, Time: at(30), Step: "smgr/smgr/1/upgrade", Node: "smgr", Phase: "upgrade", Status: record.StepOK, DurationMS: 27000},
		{Type: record.EventStepStart, Time: at(30), Step: "smgr/smgr/1/verify", Node: "smgr", Phase: "verify"},
		{Type: record.EventStepEnd, Time: at(31), Step: "smgr/smgr/1/verify", Node: "smgr", Phase: "verify", Status: record.StepOK, DurationMS: 1000, Message: "release 10.2.0.1"},
		{Type: record.EventStepStart, Time: at(31), Step: "core/sm-dal/1/precheck", Node: "sm-dal", Phase: "precheck"},
		{Type: record.EventStepEnd, Time: at(32), Step: "core/sm-dal/1/precheck", Node: "sm-dal", Phase: "precheck", Status: record.StepOK, DurationMS: 1000},
		{Type: record.EventStepStart, Time: at(32), Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"},
		{Type: record.EventCommand, Time: at(36), Step: "core/sm-dal/1/backup", Node: "sm-dal", Command: "backupSM --password " + testSecret, ExitCode: ex(0), DurationMS: 3900, OutputTail: "Backing up user data ...\nBackup written to /var/opt/backup/a.tar.gz\n"},
		{Type: record.EventStepEnd, Time: at(38), Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup", Status: record.StepOK, DurationMS: 6000, Message: "archive pulled, sha256 verified"},
		{Type: record.EventGuard, Time: at(38), Step: "core/sm-dal/1/drain", Node: "sm-dal", Guard: "peer.unavailable", Verdict: record.VerdictPass, Message: "sm-chi in service"},
		{Type: record.EventStepStart, Time: at(38), Step: "core/sm-dal/1/drain", Node: "sm-dal", Phase: "drain"},
		{Type: "progress", Time: at(39), Step: "core/sm-dal/1/drain", Node: "sm-dal", Phase: "drain", Message: "sm-dal: 3 active calls, denying new service (wait up to 30m0s for <= 0)"},
		{Type: "progress", Time: at(45), Step: "core/sm-dal/1/drain", Node: "sm-dal", Phase: "drain", Message: "sm-dal: 1 active calls, denying"},
		{Type: record.EventStepEnd, Time: at(50), Step: "core/sm-dal/1/drain", Node: "sm-dal", Phase: "drain", Status: record.StepOK, DurationMS: 12000},
		{Type: record.EventGuard, Time: at(50), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Guard: "disk.space", Verdict: record.VerdictWarn, Message: "/var 2100 MB free\nmargin 512 MB"},
		{Type: record.EventStepStart, Time: at(50), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Phase: "upgrade"},
		{Type: record.EventCommand, Time: at(70), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Command: "upgradeSM --media /var/tmp/runbook/sm.bin", ExitCode: ex(1), DurationMS: 20000, OutputTail: "ERROR: checksum mismatch\n"},
		{Type: record.EventStepEnd, Time: at(70), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Phase: "upgrade", Status: record.StepFailed, DurationMS: 20000, ExitCode: ex(1), Message: "upgradeSM exited 1 (login " + testSecret + ")"},
		{Type: record.EventRollback, Time: at(71), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Phase: "upgrade", Message: "rolling sm-dal back to 8.1.3.8"},
		{Type: "progress", Time: at(80), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Message: "restore ok on sm-dal: restored from a.tar.gz"},
		{Type: record.EventWarning, Time: at(85), Node: "sm-chi", Message: "cluster core halted: sm-chi not started"},
		{Type: record.EventFacts, Time: at(90), Node: "sm-dal", Phase: "after", Message: "after", Facts: nodeFacts("8.1.3.8", 0)},
		{Type: record.EventRunEnd, Time: at(91), Status: record.RunFailed, Message: "step core/sm-dal/1/upgrade failed"},
	}
}

// golden compares got with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", name), got)
}
