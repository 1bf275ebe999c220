package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm/sim"
	rssh "github.com/runbook-dev/runbook/modules/ssh"
)

// manifestTarget is what the executor builds from the manifest for a node.
func manifestTarget(node string) modules.Target {
	return modules.Target{Node: node, Host: node + ".example.net", Port: 22, User: "cust",
		PrivateKeyFile: "~/.ssh/id_ed25519", Password: testPassword, KnownHostsFile: "~/.ssh/known_hosts",
		HostKeyCheck: "accept-new", Jump: "ops@bastion.example.net:22", Timeout: 15 * time.Second}
}

type recordingDialer struct{ got []modules.Target }

func (d *recordingDialer) Dial(_ context.Context, t modules.Target) (modules.Conn, error) {
	d.got = append(d.got, t)
	return nil, os.ErrClosed
}

func TestDialerReplacesManifestHosts(t *testing.T) {
	l := startLab(t, testConfig(""))
	inner := &recordingDialer{}
	d := l.Dialer(inner)
	d.Dial(t.Context(), manifestTarget("sm-dal"))
	if len(inner.got) != 1 {
		t.Fatalf("inner dialer saw %d dials", len(inner.got))
	}
	got := inner.got[0]
	want := l.Targets()["sm-dal"]
	want.Password, want.Timeout = testPassword, 15*time.Second
	if got != want {
		t.Errorf("redirected target = %+v\nwant %+v", got, want)
	}
	if got.Host != "127.0.0.1" || got.Jump != "" || got.HostKeyCheck != "strict" || got.KnownHostsFile != l.KnownHostsFile() {
		t.Errorf("redirected target still leaves the lab: %+v", got)
	}
	// A node the lab does not serve never reaches the inner dialer.
	if _, err := d.Dial(t.Context(), manifestTarget("bsm-austin")); err == nil || !strings.Contains(err.Error(), "bsm-austin") {
		t.Errorf("unknown node: err = %v", err)
	}
	if len(inner.got) != 1 {
		t.Errorf("an unknown node was dialled: %+v", inner.got[1:])
	}
}

func TestThroughTheSSHModule(t *testing.T) {
	l := startLab(t, testConfig(""))
	d := l.Dialer(rssh.NewDialer(rssh.Options{NoAgent: true}))
	ctx := t.Context()
	conn, err := d.Dial(ctx, manifestTarget("sm-dal"))
	if err != nil {
		t.Fatalf("dial through modules/ssh: %v", err)
	}
	defer conn.Close()
	res, err := conn.Run(ctx, modules.Command{Line: "bash -lc swversion", ReadOnly: true})
	if err != nil || res.ExitCode != 0 || !strings.Contains(string(res.Stdout), "Release: 8.1.3.8") {
		t.Fatalf("swversion: %+v, %v", res, err)
	}

	media := filepath.Join(t.TempDir(), "Session_Manager_8.1.3.9.bin")
	sum, err := sim.WriteMedia(media, sim.Media{Kind: "release", Product: sim.KindSM, Release: "8.1.3.9"})
	if err != nil {
		t.Fatal(err)
	}
	remote := "/var/tmp/runbook/Session_Manager_8.1.3.9.bin"
	if got, err := conn.Upload(ctx, media, remote); err != nil || got != sum {
		t.Fatalf("upload: sha256 %s, %v; want %s", got, err, sum)
	}
	back := filepath.Join(t.TempDir(), "back.bin")
	if got, err := conn.Download(ctx, remote, back); err != nil || got != sum {
		t.Fatalf("download: sha256 %s, %v; want %s", got, err, sum)
	}

	// The upgrade reboots the node: the Conn reports a transport error, and
	// a new dial reaches the upgraded node.
	res, err = conn.Run(ctx, modules.Command{Line: "upgradeSM --media " + modules.Quote(remote) + " --sha256 " + sum})
	if err == nil {
		t.Fatalf("upgrade that reboots returned no transport error: %+v", res)
	}
	conn2, err := d.Dial(ctx, manifestTarget("sm-dal"))
	if err != nil {
		t.Fatalf("redial after reboot: %v", err)
	}
	defer conn2.Close()
	res, err = conn2.Run(ctx, modules.Command{Line: "bash -lc swversion", ReadOnly: true})
	if err != nil || !strings.Contains(string(res.Stdout), "Release: 8.1.3.9") {
		t.Fatalf("after reboot: %+v, %v", res, err)
	}
}

func TestThroughTheSSHModuleCancelStopsAHang(t *testing.T) {
	l := startLab(t, testConfig(""))
	d := l.Dialer(rssh.NewDialer(rssh.Options{NoAgent: true}))
	conn, err := d.Dial(t.Context(), manifestTarget("sm-chi"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		if waitFaultTaken(l, "sm-chi", "backup") == nil {
			cancel() // the Conn sends KILL, the lab cancels the command
		}
	}()
	if _, err := conn.Run(ctx, modules.Command{Line: "backupSM"}); err == nil {
		t.Fatal("a hung command returned without error")
	}
	res, err := conn.Run(t.Context(), modules.Command{Line: "bash -lc swversion", ReadOnly: true})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("the connection is unusable after a KILL: %+v, %v", res, err)
	}
}
