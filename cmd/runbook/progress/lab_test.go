package progress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/driver"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/lab"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules/sm"
	rssh "github.com/runbook-dev/runbook/modules/ssh"
)

// fanout hands every event to several renderers.
type fanout []Renderer

func (f fanout) Event(e record.Event) {
	for _, r := range f {
		r.Event(e)
	}
}

// TestRenderersOnARealRun renders the events of a real apply of the
// core-cluster example against the lab: every JSON line keeps the contract,
// the plain lines end with the summary, and the board ends with every node done.
func TestRenderersOnARealRun(t *testing.T) {
	cfg, diags := eval.Load(eval.LoadOptions{Path: "../../../examples/core-cluster"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg.Backup.Store = t.TempDir()
	lab.StartWindowNow(cfg, time.Now()) // as apply --lab does
	l, err := lab.Start(t.Context(), cfg, lab.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p, diags := plan.Compile(cfg, catalog.Default(), plan.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	red := record.NewRedactor(cfg.Secrets...)
	var js, pl, tt syncBuffer
	rs := fanout{NewJSON(&js, red), NewPlain(&pl, red), NewTTY(&tt, red, p, WithInterval(20*time.Millisecond))}
	x := exec.New(exec.Options{
		Dialer:   l.Dialer(rssh.NewDialer(rssh.Options{NoAgent: true})),
		Driver:   driver.New(catalog.Default(), sm.DefaultProfile()),
		Observer: rs,
		Redactor: red,
		Limits:   exec.Limits{Poll: 50 * time.Millisecond, ReconnectInitial: 50 * time.Millisecond},
	})
	res, err := x.Run(t.Context(), p, cfg)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, r := range rs {
		r.SetOutcome(Outcome{Succeeded: res.Succeeded, Failed: res.Failed, RolledBack: res.RolledBack, Incomplete: res.Incomplete})
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}

	sc := bufio.NewScanner(strings.NewReader(js.String()))
	sc.Buffer(nil, 1<<20)
	types := map[string]bool{}
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %s", sc.Bytes())
		}
		for k := range m {
			if !slices.Contains(JSONFields, k) {
				t.Errorf("unknown key %q in %s", k, sc.Bytes())
			}
		}
		types[m["type"].(string)] = true
	}
	for _, want := range []string{record.EventRunStart, record.EventFacts, record.EventStepStart, record.EventCommand, record.EventStepEnd, record.EventRunEnd} {
		if !types[want] {
			t.Errorf("no %s event in the stream", want)
		}
	}
	lines := strings.Split(strings.TrimSpace(pl.String()), "\n")
	for _, l := range lines {
		if strings.Contains(l, "$ statapp") {
			t.Errorf("a read-only facts command is a plain line: %q", l)
		}
	}
	if !strings.Contains(pl.String(), "$ backupSM") {
		t.Error("the backup command is not a plain line")
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "summary: run succeeded") || !strings.Contains(last, "nodes: 3 succeeded, 0 failed") {
		t.Errorf("plain summary = %q", last)
	}
	board := ansi.ReplaceAllString(tt.String(), "")
	final := board[strings.LastIndex(board, "runbook core-to-10-2"):]
	for _, node := range []string{"smgr", "sm-dal", "sm-chi"} {
		if !strings.Contains(final, "✓ "+node) {
			t.Errorf("final board does not show %s done:\n%s", node, final)
		}
	}
	if !bytes.Contains([]byte(final), []byte("run succeeded")) {
		t.Errorf("board summary:\n%s", final)
	}
}
