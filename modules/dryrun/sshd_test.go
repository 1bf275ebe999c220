package dryrun_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/ssh"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// Over a real connection, the gate lets facts through and nothing else.
func TestGateOverSSH(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	d := dryrun.NewDialer(ssh.NewDialer(ssh.Options{NoAgent: true}), nil)
	c, err := d.Dial(context.Background(), s.Target("sm1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	marker := filepath.Join(s.Home, "changed")

	res, err := c.Run(ctx, modules.Command{Line: "echo fact", ReadOnly: true})
	if err != nil || strings.TrimSpace(string(res.Stdout)) != "fact" {
		t.Fatalf("read-only: %q, %v", res.Stdout, err)
	}
	if res, err := c.Run(ctx, modules.Command{Line: "touch " + modules.Quote(marker)}); err != nil || !res.Skipped {
		t.Fatalf("change: %+v, %v", res, err)
	}
	local := filepath.Join(t.TempDir(), "media")
	os.WriteFile(local, []byte("media"), 0o600)
	if _, err := c.Upload(ctx, local, filepath.Join(s.Home, "media")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{marker, filepath.Join(s.Home, "media")} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("dry run changed the node: %s exists", p)
		}
	}
	if got := d.Recorder().Recorded(); len(got) != 2 || got[0].Kind != dryrun.KindRun || got[1].Kind != dryrun.KindUpload {
		t.Fatalf("recorded %+v", got)
	}
}
