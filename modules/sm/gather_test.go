package sm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// separateAll is a site profile that marks every fact action of kind
// separate, so its gather runs each in its own session.
func separateAll(t *testing.T, kind string) *sm.Profile {
	t.Helper()
	p := sm.DefaultProfile()
	var b strings.Builder
	fmt.Fprintf(&b, "kind %q {\n", kind)
	for _, name := range []string{"release", "ssp", "service_state", "active_calls", "services", "disk", "clock", "uds_backup", "users", "data_digest"} {
		a, err := p.Action(kind, name)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "  action %q {\n    command = %q\n    read_only = true\n    parse = %q\n", name, a.Command, a.Parse)
		if a.Regex != nil {
			fmt.Fprintf(&b, "    regex = %q\n", a.Regex.String())
		}
		if a.Key != "" {
			fmt.Fprintf(&b, "    key = %q\n", a.Key)
		}
		if a.Lower {
			b.WriteString("    lower = true\n")
		}
		if len(a.Map) > 0 {
			b.WriteString("    map = {")
			for k, v := range a.Map {
				fmt.Fprintf(&b, " %s = %q,", k, v)
			}
			b.WriteString(" }\n")
		}
		b.WriteString("    separate = true\n  }\n")
	}
	b.WriteString("}\n")
	o, err := sm.LoadProfile([]byte(b.String()), "site.hcl")
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return p.Merge(o)
}

// One gather is one session on the node, whatever the kind, and reads the
// same facts as one session per action does.
func TestGatherIsOneSessionPerKind(t *testing.T) {
	for _, kind := range sm.Kinds {
		t.Run(kind, func(t *testing.T) {
			_, c := testkit.SimNode(t, "n1", sim.Options{Kind: kind}, fast)
			f, err := sm.GatherFacts(context.Background(), c, kind, sm.DefaultProfile())
			if err != nil {
				t.Fatal(err)
			}
			if n := len(c.Commands()); n != 1 {
				t.Fatalf("gather used %d sessions, want 1: %q", n, c.Commands())
			}
			c2 := conn(t, c.Dir)
			g, err := sm.GatherFacts(context.Background(), c2, kind, separateAll(t, kind))
			if err != nil {
				t.Fatal(err)
			}
			if len(c2.Commands()) < 2 {
				t.Fatalf("separate actions ran in %d session(s)", len(c2.Commands()))
			}
			f.Clock = g.Clock
			if fmt.Sprint(f) != fmt.Sprint(g) {
				t.Fatalf("one session read %+v, one per action read %+v", f, g)
			}
			if f.Release == "" || len(f.Services) == 0 || len(f.DiskFreeMB) == 0 {
				t.Fatalf("facts incomplete: %+v", f)
			}
		})
	}
}

// An action marked separate runs on its own; the others still share one.
func TestGatherSeparateAction(t *testing.T) {
	o, err := sm.LoadProfile([]byte(`kind "session_manager" {
  action "users" {
    command   = "smcli users"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Users:\\s*([0-9]+)"
    separate  = true
  }
}`), "site.hcl")
	if err != nil {
		t.Fatal(err)
	}
	dir, c := node(t, sim.Options{})
	f, err := sm.GatherFacts(context.Background(), c, sim.KindSM, sm.DefaultProfile().Merge(o))
	if err != nil {
		t.Fatal(err)
	}
	cmds := c.Commands()
	if len(cmds) != 2 || cmds[1] != "smcli users" || strings.Contains(cmds[0], "smcli users") {
		t.Fatalf("commands: %q", cmds)
	}
	if f.Users != sim.Users(dir) {
		t.Fatalf("users %d, node has %d", f.Users, sim.Users(dir))
	}
}

// A failing action in the script is reported as that action's failure,
// with its exit status, as a separate run would report it.
func TestGatherScriptActionFailure(t *testing.T) {
	o, err := sm.LoadProfile([]byte(`kind "session_manager" {
  action "users" {
    command   = "smcli no-such-subcommand"
    read_only = true
  }
}`), "site.hcl")
	if err != nil {
		t.Fatal(err)
	}
	_, c := node(t, sim.Options{})
	_, err = sm.GatherFacts(context.Background(), c, sim.KindSM, sm.DefaultProfile().Merge(o))
	var ce *sm.CommandError
	if !errors.As(err, &ce) || ce.Action != "users" || ce.ExitCode == 0 || ce.Line != "smcli no-such-subcommand" {
		t.Fatalf("want users' CommandError, got %v", err)
	}
}
