package localpath

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestExpandHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for in, want := range map[string]string{
		"~": home, "~/": home, "~/bk": filepath.Join(home, "bk"), "bk": "bk", "/srv/x": "/srv/x", "a/~/b": "a/~/b",
	} {
		if got, err := ExpandHome(in); err != nil || got != want {
			t.Errorf("ExpandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ExpandHome("~root/x"); !errors.Is(err, ErrUserHome) {
		t.Errorf("~root/x: %v", err)
	}
}

func TestNotDedicated(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	manifest := filepath.Join(t.TempDir(), "change")
	refused := []string{"/", "/etc", "/etc/ssh", "/usr", "/usr/local/share", "/bin", "/sbin", "/lib", "/lib64/x",
		"/boot", "/dev", "/proc/1", "/sys", "/var", "/var/lib", "/root", "/home", "/tmp", "/srv", "/opt",
		home, filepath.Dir(home), manifest, filepath.Dir(manifest)}
	for _, d := range refused {
		if NotDedicated(d, manifest) == "" {
			t.Errorf("%s accepted as a backup store", d)
		}
	}
	for _, d := range []string{"/var/backups/runbook", "/srv/backups", filepath.Join(home, "backups"), filepath.Join(manifest, "backups"), "/opt/runbook/backups"} {
		if why := NotDedicated(d, manifest); why != "" {
			t.Errorf("%s refused: %s", d, why)
		}
	}
}

func TestResolveFollowsLinks(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	got, err := Resolve("link/not/yet", root)
	want, _ := filepath.EvalSymlinks(real)
	if err != nil || got != filepath.Join(want, "not", "yet") {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	if !Within(got, want) || Within(want, got) || Within("/a/bc", "/a/b") {
		t.Fatal("Within")
	}
}
