package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"github.com/runbook-dev/runbook/modules"
)

// pipeRWC joins a reader and a writer for an in-process SFTP session.
type pipeRWC struct {
	io.Reader
	io.WriteCloser
}

func TestSFTPConfinedToFakeRoot(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- ServeSFTP(dir, pipeRWC{sr, sw}) }()
	c, err := sftp.NewClientPipe(cr, cw)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MkdirAll("/var/tmp/runbook"); err != nil {
		t.Fatal(err)
	}
	f, err := c.Create("/var/tmp/runbook/../../../../../escape.bin")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("payload"))
	f.Close()
	if _, err := os.Stat(filepath.Join(dir, "root/escape.bin")); err != nil {
		t.Fatalf("file not kept inside the fake root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.bin")); err == nil {
		t.Fatal("sftp wrote outside the fake root")
	}
	r, err := c.Open("/opt/Avaya/install.properties")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Contains(b, []byte("Release=10.1.3.0")) {
		t.Fatalf("read %q", b)
	}
	ents, err := c.ReadDir("/var/opt")
	if err != nil || len(ents) != 1 || ents[0].Name() != "backup" {
		t.Fatalf("readdir: %v %v", ents, err)
	}
	if err := c.Rename("/escape.bin", "/var/tmp/runbook/x.bin"); err != nil {
		t.Fatal(err)
	}
	if r := mustOK(t, dir, "sha256sum /var/tmp/runbook/x.bin"); r.stdout[:64] != sha("payload") {
		t.Fatalf("sha256sum after sftp: %q", r.stdout)
	}
	c.Close()
	cw.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sftp server did not end")
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestLocalConnDropsOnReboot(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	c, err := NewLocalConn(dir, fast)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.Run(ctx, modules.Command{Line: "smcli users", ReadOnly: true})
	if err != nil || string(res.Stdout) != "Users: 0\n" {
		t.Fatalf("%q %v", res.Stdout, err)
	}
	if _, err := c.Run(ctx, modules.Command{Line: "reboot", Stdin: bytes.NewBufferString("Yes\n")}); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("reboot: %v", err)
	}
	if _, err := c.Run(ctx, modules.Command{Line: "true"}); !errors.Is(err, ErrConnectionLost) || !c.Lost() {
		t.Fatalf("after reboot: %v", err)
	}
	if got := c.Commands(); len(got) != 2 || got[1] != "reboot" {
		t.Fatalf("commands: %v", got)
	}
	c2, _ := LocalDialer{Dirs: map[string]string{"sm1": dir}, Env: fast}.Dial(ctx, modules.Target{Node: "sm1"})
	res, err = c2.Run(ctx, modules.Command{Line: "statapp -s", ReadOnly: true})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("redial: %v", err)
	}
	if r := execLine(t, dir, "reboot", "yes\n"); r.code != 1 || r.dropped {
		t.Fatalf("reboot accepted an answer other than Yes: %+v", r)
	}
}

func TestHangAndSlowFaults(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	SetFault(dir, "precheck", "hang", 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Exec(ctx, dir, "smcli precheck", nil, io.Discard, io.Discard, fast)
	}()
	select {
	case code := <-done:
		t.Fatalf("hang fault returned %d before cancel", code)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if code := <-done; code != 124 {
		t.Fatalf("hang: exit %d", code)
	}
	SetFault(dir, "drain", "slow", 1)
	mustOK(t, dir, "smcli service-state deny")
	st, _ := Load(dir)
	if st.DrainFor != time.Duration(float64(drainTime)*fast.TimeScale)*slowFactor {
		t.Fatalf("slow fault: drain for %s", st.DrainFor)
	}
}
