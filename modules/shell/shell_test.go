package shell_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/shell"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// conn is a connection to a simulated node; realShell says whether the
// test host stands for the node (commands the simulator does not model then
// run here, as behind smsim serve).
func conn(t *testing.T, realShell bool) *sim.LocalConn {
	_, c := testkit.SimNode(t, "n", sim.Options{}, sim.Env{TimeScale: 0.01, RealShell: realShell})
	return c
}

func TestShellRunsCommandAsWritten(t *testing.T) {
	c := conn(t, true)
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

// On a simulated node whose host is the controller, a command the simulator
// does not model is not run: the step reports it as not executed in the lab
// with its command, neither failed nor run, and the controller's file stays.
func TestShellNotExecutedOnSimulatedNode(t *testing.T) {
	c := conn(t, false)
	marker := filepath.Join(t.TempDir(), "marker")
	if err := os.WriteFile(marker, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := "rm -f " + marker + "; echo gone"
	out, err := shell.Module{}.Run(context.Background(), c, modules.Task{Node: "n", Args: map[string]string{"command": cmd}})
	if err != nil {
		t.Fatalf("a command not executed failed the step: %v", err)
	}
	if out.Summary != shell.NotExecutedSummary+cmd || out.Values["not_executed"] != "true" || out.Values["exit_code"] != "" {
		t.Fatalf("outcome %+v", out)
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "keep" {
		t.Fatalf("the controller's file changed: %q %v", b, err)
	}
	// A command the simulator models still runs, simulated.
	out, err = shell.Module{}.Run(context.Background(), c, modules.Task{Node: "n", Args: map[string]string{"command": "cat /opt/Avaya/install.properties"}})
	if err != nil || !strings.Contains(out.Values["stdout"], "Release=10.1.3.0") {
		t.Fatalf("simulated command: %+v %v", out, err)
	}
}
