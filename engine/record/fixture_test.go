package record

import (
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm"
)

// testSecret appears in the fixtures wherever a careless executor could leak
// it; no output may contain it.
const testSecret = "Sup3r-Secret!"

var t0 = time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)

func fixturePlan() *plan.Plan {
	step := func(node, phase string, hop int, deps ...string) *plan.Step {
		return &plan.Step{ID: "core/" + node + "/" + itoa3(hop) + "/" + phase, Node: node, Cluster: "core", Phase: rollout.Phase(phase),
			Hop: plan.Hop{Index: hop, From: "8.1.3.8", To: "10.2.0.1"}, Module: "sm." + phase, DependsOn: deps,
			Commands: []string{phase + "SM"}}
	}
	steps := []*plan.Step{
		step("sm-dal", "precheck", 1),
		step("sm-dal", "backup", 1, "core/sm-dal/1/precheck"),
		step("sm-dal", "upgrade", 1, "core/sm-dal/1/backup"),
		step("sm-dal", "verify", 1, "core/sm-dal/1/upgrade"),
		step("sm-chi", "precheck", 1),
		step("sm-chi", "upgrade", 1, "core/sm-chi/1/precheck", "core/sm-dal/1/verify"),
	}
	steps[1].Args = map[string]string{"store": "backups"}
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Runbook: "core-to-10-2", ChangeID: "CHG0031337", ManifestSHA256: "ab12cd34",
		Nodes: []*plan.Node{
			{Name: "sm-dal", Kind: "session_manager", Cluster: "core", Host: "sm-dal.example.net", Release: "8.1.3.8", SSP: 41, Target: "10.2.0.1", Path: []string{"8.1.3.8", "10.2.0.1"}},
			{Name: "sm-chi", Kind: "session_manager", Cluster: "core", Host: "sm-chi.example.net", Release: "8.1.3.8", SSP: -1, Target: "10.2.0.1", Path: []string{"8.1.3.8", "10.2.0.1"}},
		}, Steps: steps}
	for _, s := range steps {
		p.Order = append(p.Order, s.ID)
	}
	return p
}

func itoa3(i int) string { return string(rune('0' + i)) }

func nodeFacts(release string, calls int) *sm.Facts {
	return &sm.Facts{Release: release, SSP: 41, ServiceState: sm.StateAccepting, ActiveCalls: calls,
		Services: map[string]string{"asset": "up", "sip": "up"}, DiskFreeMB: map[string]int64{"/var": 9000, "/opt": 12000},
		Clock: t0, UDSBackup: "ok", Users: 2000, DataDigest: "0123456789abcdef0123"}
}

// fixtureEvents is the journal of a run on fixturePlan that fails upgrading
// sm-dal, rolls it back, and ends failed. It leaks testSecret in places a
// command line or error might.
func fixtureEvents() []Event {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	run := &Run{ChangeID: "CHG0031337", Runbook: "core-to-10-2", Mode: ModeApply, Who: "ops@ctl", Started: t0, ManifestSHA256: "ab12cd34", PlanSHA256: "ef56"}
	return []Event{
		RunStart(run),
		{Type: EventFacts, Time: at(1), Node: "sm-dal", Facts: nodeFacts("8.1.3.8", 3)},
		{Type: EventFacts, Time: at(1), Node: "sm-chi", Facts: nodeFacts("8.1.3.8", 0)},
		{Type: EventGuard, Time: at(2), Guard: "facts.drift", Node: "sm-dal", Verdict: VerdictPass},
		{Type: EventStepStart, Time: at(2), Step: "core/sm-dal/1/precheck", Node: "sm-dal", Phase: "precheck"},
		{Type: EventStepEnd, Time: at(4), Step: "core/sm-dal/1/precheck", Node: "sm-dal", Status: StepOK, DurationMS: 2000, ExitCode: ExitCode(0), Message: "all services up"},
		{Type: EventStepStart, Time: at(4), Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"},
		{Type: EventCommand, Time: at(5), Step: "core/sm-dal/1/backup", Node: "sm-dal", Command: "backupSM -p " + testSecret, ExitCode: ExitCode(0)},
		{Type: EventStepEnd, Time: at(10), Step: "core/sm-dal/1/backup", Node: "sm-dal", Status: StepOK, DurationMS: 6000, Message: "archive pulled, sha256 verified",
			Values: map[string]string{"archive": "backups/sm-dal/b.tgz"}},
		{Type: EventGuard, Time: at(10), Guard: "disk.space", Node: "sm-dal", Step: "core/sm-dal/1/upgrade", Verdict: VerdictWarn, Message: "/var | low"},
		{Type: EventStepStart, Time: at(10), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Phase: "upgrade"},
		{Type: EventCommand, Time: at(70), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Command: "upgradeSM", ExitCode: ExitCode(2)},
		{Type: EventStepEnd, Time: at(70), Step: "core/sm-dal/1/upgrade", Node: "sm-dal", Status: StepFailed, DurationMS: 60000, ExitCode: ExitCode(2),
			Message: "upgrade failed:\ninstaller said: bad password " + testSecret},
		{Type: EventRollback, Time: at(71), Node: "sm-dal", Step: "core/sm-dal/1/upgrade", Phase: "restore", Status: StepOK, Message: "restored b.tgz"},
		{Type: EventFacts, Time: at(90), Node: "sm-dal", Phase: "after", Facts: nodeFacts("8.1.3.8", 0)},
		{Type: EventRunEnd, Time: at(91), Status: RunFailed, Message: "step core/sm-dal/1/upgrade failed"},
	}
}
