package sm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func TestPortReachableOverTheSimulator(t *testing.T) {
	ctx := context.Background()
	p := sm.DefaultProfile()
	for _, kind := range []string{sim.KindSM, sim.KindBSM} {
		_, c := node(t, sim.Options{Kind: kind, Release: "10.1.3.0", BlockedPorts: []int{61617}})
		ok, err := sm.PortReachable(ctx, c, kind, p, "smgr.example.net", 443)
		if err != nil || !ok {
			t.Fatalf("%s 443: %v %v", kind, ok, err)
		}
		ok, err = sm.PortReachable(ctx, c, kind, p, "smgr.example.net", 61617)
		if err != nil || ok {
			t.Fatalf("%s 61617 blocked: %v %v", kind, ok, err)
		}
		cmds := c.Commands()
		if got := cmds[len(cmds)-1]; got != "nc -z -w 5 smgr.example.net 61617" {
			t.Fatalf("command %q", got)
		}
	}
}

func TestPortReachablePassesTheDryRunGate(t *testing.T) {
	_, c := node(t, sim.Options{Release: "10.1.3.0", BlockedPorts: []int{443}})
	rec := dryrun.NewRecorder()
	ok, err := sm.PortReachable(context.Background(), dryrun.Wrap(c, "sm-dal", rec), sim.KindSM, sm.DefaultProfile(), "smgr.example.net", 443)
	if err != nil || ok || len(rec.Recorded()) != 0 {
		t.Fatalf("read-only check under dry-run: %v %v, held back %v", ok, err, rec.Recorded())
	}
}

// An unknown is not a yes, and not a blocked port either: a node without
// the tool, a transport failure or a changing action is an error.
func TestPortReachableErrors(t *testing.T) {
	ctx := context.Background()
	_, c := node(t, sim.Options{Release: "10.1.3.0"})
	override := func(src string) *sm.Profile {
		o, err := sm.LoadProfile([]byte(src), "site.hcl")
		if err != nil {
			t.Fatal(err)
		}
		return sm.DefaultProfile().Merge(o)
	}
	missing := override(`kind "session_manager" {
  action "port_check" {
    command   = "exit 127"
    read_only = true
  }
}`)
	if ok, err := sm.PortReachable(ctx, c, sim.KindSM, missing, "smgr.example.net", 443); ok || err == nil {
		t.Errorf("command not found: %v %v", ok, err)
	}
	changing := override(`kind "session_manager" {
  action "port_check" { command = "nc -z {{.host}} {{.port}}" }
}`)
	if _, err := sm.PortReachable(ctx, c, sim.KindSM, changing, "smgr.example.net", 443); err == nil || !strings.Contains(err.Error(), "read_only") {
		t.Errorf("changing action: %v", err)
	}
	if _, err := sm.PortReachable(ctx, c, sim.KindSM, sm.DefaultProfile(), "smgr.example.net", 0); err == nil {
		t.Error("port 0 accepted")
	}
	c.Close()
	_, err := sm.PortReachable(ctx, c, sim.KindSM, sm.DefaultProfile(), "smgr.example.net", 443)
	var te *sm.TransportError
	if !errors.As(err, &te) {
		t.Errorf("closed connection: %v", err)
	}
}
