package ssh

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

func TestSFTPRoundTripVerifiesBothEnds(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	c := mustDial(t, testDialer(Options{}), s.Target("sm1"))
	data := make([]byte, 3<<20+17) // spans several copy buffers and packets
	rand.Read(data)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	local := filepath.Join(t.TempDir(), "media.iso")
	if err := os.WriteFile(local, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A name that needs quoting, in folders that do not exist yet.
	remote := filepath.Join(s.Home, "var tmp", "run'book", "media $1.iso")
	got, err := c.Upload(context.Background(), local, remote)
	if err != nil || got != want {
		t.Fatalf("Upload = %q, %v; want %q", got, err, want)
	}
	if onNode, _ := os.ReadFile(remote); !bytes.Equal(onNode, data) {
		t.Fatal("the node's copy differs from the local file")
	}
	back := filepath.Join(t.TempDir(), "store", "sm1", "media.iso")
	got, err = c.Download(context.Background(), remote, back)
	if err != nil || got != want {
		t.Fatalf("Download = %q, %v; want %q", got, err, want)
	}
	if b, _ := os.ReadFile(back); !bytes.Equal(b, data) {
		t.Fatal("downloaded copy differs")
	}
	for path, mode := range map[string]os.FileMode{back: 0o600, filepath.Dir(back): 0o700} {
		if st, _ := os.Stat(path); st.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", path, st.Mode().Perm(), mode)
		}
	}
}

// A node whose sha256sum disagrees (here a lying one first in PATH) fails the
// transfer, and a download leaves no file behind.
func TestChecksumMismatchIsAnError(t *testing.T) {
	bin := t.TempDir()
	liar := "#!/bin/sh\necho 0000000000000000000000000000000000000000000000000000000000000000 \"$2\"\n"
	if err := os.WriteFile(filepath.Join(bin, "sha256sum"), []byte(liar), 0o755); err != nil {
		t.Fatal(err)
	}
	s := sshdtest.Start(t, sshdtest.Options{Env: map[string]string{"PATH": bin + ":/usr/bin:/bin"}})
	c := mustDial(t, testDialer(Options{}), s.Target("sm1"))
	local := filepath.Join(t.TempDir(), "f")
	os.WriteFile(local, []byte("payload"), 0o600)
	_, err := c.Upload(context.Background(), local, filepath.Join(s.Home, "f"))
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Direction != "upload" {
		t.Fatalf("upload: err = %v, want *ChecksumError", err)
	}
	dst := filepath.Join(t.TempDir(), "back")
	_, err = c.Download(context.Background(), filepath.Join(s.Home, "f"), dst)
	if !errors.As(err, &ce) || ce.Direction != "download" {
		t.Fatalf("download: err = %v, want *ChecksumError", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 0 {
		t.Fatalf("a failed download left files: %v", entries)
	}
}

func TestDownloadMissingRemoteFile(t *testing.T) {
	s := sshdtest.Start(t, sshdtest.Options{})
	c := mustDial(t, testDialer(Options{}), s.Target("sm1"))
	if _, err := c.Download(context.Background(), filepath.Join(s.Home, "absent"), filepath.Join(t.TempDir(), "x")); err == nil {
		t.Fatal("downloading a missing file succeeded")
	}
}
