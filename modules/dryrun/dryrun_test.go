package dryrun

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
)

// fakeConn records what reaches the node.
type fakeConn struct {
	ran       []string
	uploads   int
	downloads int
	closed    bool
}

func (f *fakeConn) Run(_ context.Context, c modules.Command) (modules.Result, error) {
	f.ran = append(f.ran, c.Line)
	return modules.Result{Stdout: []byte("out:" + c.Line)}, nil
}
func (f *fakeConn) Upload(context.Context, string, string) (string, error) {
	f.uploads++
	return "", nil
}
func (f *fakeConn) Download(context.Context, string, string) (string, error) {
	f.downloads++
	return "sum", nil
}
func (f *fakeConn) Close() error { f.closed = true; return nil }

func TestOnlyReadOnlyCommandsReachTheNode(t *testing.T) {
	inner := &fakeConn{}
	rec := NewRecorder()
	a, b := Wrap(inner, "sm-a", rec), Wrap(inner, "sm-b", rec)
	ctx := context.Background()

	res, err := a.Run(ctx, modules.Command{Line: "swversion", ReadOnly: true})
	if err != nil || string(res.Stdout) != "out:swversion" || res.Skipped {
		t.Fatalf("read-only command: %+v, %v", res, err)
	}
	res, err = a.Run(ctx, modules.Command{Line: "backupSM", Stdin: strings.NewReader("y")})
	if err != nil || !res.Skipped || res.ExitCode != 0 {
		t.Fatalf("change: %+v, %v; want skipped, exit 0", res, err)
	}
	b.Run(ctx, modules.Command{Line: "reboot"})
	local := filepath.Join(t.TempDir(), "media.iso")
	os.WriteFile(local, []byte("media"), 0o600)
	sum, err := b.Upload(ctx, local, "/var/tmp/runbook/media.iso")
	if h := sha256.Sum256([]byte("media")); err != nil || sum != hex.EncodeToString(h[:]) {
		t.Fatalf("upload: %q, %v; want the local file's sha256", sum, err)
	}
	if _, err := b.Download(ctx, "/var/backup/a.tgz", filepath.Join(t.TempDir(), "a.tgz")); err != nil {
		t.Fatal(err)
	}

	if !reflect.DeepEqual(inner.ran, []string{"swversion"}) || inner.uploads != 0 || inner.downloads != 1 {
		t.Fatalf("reached the node: ran %q, %d uploads, %d downloads", inner.ran, inner.uploads, inner.downloads)
	}
	want := []Entry{
		{Node: "sm-a", Kind: KindRun, Line: "backupSM", Stdin: true},
		{Node: "sm-b", Kind: KindRun, Line: "reboot"},
		{Node: "sm-b", Kind: KindUpload, Local: local, Remote: "/var/tmp/runbook/media.iso", SHA256: sum},
	}
	if got := a.Recorded(); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded:\n%+v\nwant\n%+v", got, want)
	}
	a.Close()
	if !inner.closed {
		t.Fatal("Close did not reach the inner connection")
	}
}

func TestUploadOfMissingArtifactFails(t *testing.T) {
	c := Wrap(&fakeConn{}, "sm-a", nil)
	if _, err := c.Upload(context.Background(), filepath.Join(t.TempDir(), "absent.iso"), "/x"); err == nil {
		t.Fatal("dry-run upload of a missing file succeeded")
	}
	if len(c.Recorded()) != 0 {
		t.Fatal("a failed upload was recorded")
	}
}

func TestOfflineGate(t *testing.T) {
	d := NewDialer(nil, nil)
	c, err := d.Dial(context.Background(), modules.Target{Node: "sm-a", Host: "sm-a.example.net"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), modules.Command{Line: "swversion", ReadOnly: true}); !errors.Is(err, ErrOffline) {
		t.Fatalf("read-only offline: err = %v, want ErrOffline", err)
	}
	if _, err := c.Download(context.Background(), "/a", filepath.Join(t.TempDir(), "a")); !errors.Is(err, ErrOffline) {
		t.Fatalf("download offline: err = %v, want ErrOffline", err)
	}
	res, err := c.Run(context.Background(), modules.Command{Line: "upgrade"})
	if err != nil || !res.Skipped {
		t.Fatalf("change offline: %+v, %v", res, err)
	}
	if got := d.Recorder().Recorded(); len(got) != 1 || got[0].Node != "sm-a" || got[0].Line != "upgrade" {
		t.Fatalf("recorded %+v", got)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
