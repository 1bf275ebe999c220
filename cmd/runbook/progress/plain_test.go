package progress

import (
	"bytes"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/record"
)

func TestPlainGolden(t *testing.T) {
	var out bytes.Buffer
	r := NewPlain(&out, record.NewRedactor(testSecret), WithClock(fixedClock))
	for _, e := range fixtureEvents() {
		r.Event(e)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	golden(t, "plain.golden", out.Bytes())
	if strings.Contains(out.String(), testSecret) {
		t.Errorf("the secret reached the output:\n%s", out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "summary: run failed") || !strings.Contains(last, "rolled back: sm-dal") {
		t.Errorf("last line is not the summary: %q", last)
	}
}

func TestPlainLineShape(t *testing.T) {
	var out bytes.Buffer
	r := NewPlain(&out, nil)
	r.Event(record.Event{Type: record.EventStepStart, Time: at(1), Step: "core/sm-dal/1/backup", Node: "sm-dal", Phase: "backup"})
	if got, want := out.String(), "2026-11-25T14:03:01Z sm-dal core/sm-dal/1/backup started\n"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

func TestPlainDryRunCommandAndOutcome(t *testing.T) {
	var out bytes.Buffer
	r := NewPlain(&out, nil, WithClock(fixedClock))
	r.Event(record.Event{Type: record.EventCommand, Step: "core/sm-dal/1/drain", Node: "sm-dal", Command: "smcli service deny", Status: record.StepSkipped})
	r.SetOutcome(Outcome{Succeeded: []string{"sm-dal", "sm-chi"}})
	r.Close()
	r.Close() // a second Close writes nothing more
	want := "2026-11-25T14:04:35Z sm-dal core/sm-dal/1/drain would run: smcli service deny\n" +
		"2026-11-25T14:04:35Z summary: run ended in 0ms: 0 steps ok, 0 failed, 0 skipped; nodes: 2 succeeded, 0 failed, 0 rolled back\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
