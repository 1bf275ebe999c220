package sm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules"
)

// Every action of the embedded profile names its own timeout: no command a
// module sends is bounded by the run's context alone.
func TestEveryDefaultActionHasATimeout(t *testing.T) {
	p := DefaultProfile()
	for _, k := range Kinds {
		for _, name := range Actions {
			a, err := p.Action(k, name)
			if err != nil {
				continue // the kind has no such action
			}
			if a.Timeout <= 0 {
				t.Errorf("%s.%s has no timeout in schema/profile.hcl", k, name)
			}
		}
	}
}

// A site's override that names no timeout keeps the default action's bound.
func TestOverrideKeepsTheDefaultTimeout(t *testing.T) {
	over, err := LoadProfile([]byte(`kind "session_manager" {
  action "upgrade" {
    command = "/opt/site/upgrade {{.media}} {{.sha256}}"
  }
}`), "site.hcl")
	if err != nil {
		t.Fatal(err)
	}
	a, err := DefaultProfile().Merge(over).Action("session_manager", "upgrade")
	if err != nil {
		t.Fatal(err)
	}
	if a.Command != "/opt/site/upgrade {{.media}} {{.sha256}}" || a.Timeout != 4*time.Hour {
		t.Fatalf("override: %q, timeout %s; want the site's command with the default 4h", a.Command, a.Timeout)
	}
}

// hangConn never answers: a command ends only with its context.
type hangConn struct{ modules.Conn }

func (hangConn) Run(ctx context.Context, c modules.Command) (modules.Result, error) {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	<-ctx.Done()
	return modules.Result{}, ctx.Err()
}

// An installer that outlives its timeout is a failure naming the timeout,
// not a dropped connection taken for the reboot an install ends with.
func TestHungInstallerIsATimeoutNotAReboot(t *testing.T) {
	over, err := LoadProfile([]byte(`kind "session_manager" {
  action "upgrade" {
    command = "upgradeSM --media {{.media}} --sha256 {{.sha256}}"
    timeout = "10ms"
  }
}`), "site.hcl")
	if err != nil {
		t.Fatal(err)
	}
	m := Upgrade{P: DefaultProfile().Merge(over)}
	_, err = m.Run(context.Background(), hangConn{}, modules.Task{Node: "sm1", Kind: "session_manager", Phase: "upgrade",
		From: "10.1.3.0", To: "10.2.0.1", Args: map[string]string{"media": "/m.bin", "sha256": "00"}})
	var te *TimeoutError
	if !errors.As(err, &te) || te.After != 10*time.Millisecond {
		t.Fatalf("err = %v, want a *TimeoutError after 10ms", err)
	}
	var tr *TransportError
	if errors.Is(err, ErrRebooting) || errors.As(err, &tr) {
		t.Fatalf("a hung installer is reported as a reboot or a dropped connection: %v", err)
	}
}
