package shell_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/shell"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func conn(t *testing.T) *sim.LocalConn {
	dir := filepath.Join(t.TempDir(), "n")
	if err := sim.Init(dir, sim.Options{Kind: sim.KindSM, Release: "10.1.3.0"}); err != nil {
		t.Fatal(err)
	}
	c, err := sim.NewLocalConn(dir, sim.Env{TimeScale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestShellRunsCommandAsWritten(t *testing.T) {
	c := conn(t)
	m := shell.Module{}
	task := modules.Task{Node: "n", Args: map[string]string{"command": "printf '%s' 'it''s' | tr a-z A-Z"}}
	if cmds, err := m.Commands(task); err != nil || cmds[0] != task.Args["command"] {
		t.Fatalf("commands: %v %v", cmds, err)
	}
	out, err := m.Run(context.Background(), c, task)
	if err != nil || out.Values["stdout"] != "ITS" {
		t.Fatalf("%+v %v", out, err)
	}
	_, err = m.Run(context.Background(), c, modules.Task{Node: "n", Args: map[string]string{"command": "echo boom >&2; exit 3"}})
	var ee *shell.ExitError
	if !errors.As(err, &ee) || ee.ExitCode != 3 || ee.Output != "boom" {
		t.Fatalf("exit error: %v", err)
	}
	if _, err := m.Commands(modules.Task{Args: map[string]string{}}); err == nil {
		t.Fatal("empty command accepted")
	}
}
