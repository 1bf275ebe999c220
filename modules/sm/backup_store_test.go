package sm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func backupTask(store string) modules.Task {
	return modules.Task{Node: "sm-dal", Kind: sim.KindSM, Phase: "backup", Args: map[string]string{"store": store}}
}

// A store that is a system folder, the home folder or inside a system tree
// is refused before the node is touched: backups would land as /sm-dal,
// /etc/sm-dal … written by whoever runs runbook (often root). The node's
// backup is set to fail, so that a module that does not refuse first stops
// before it writes anything on the controller.
func TestBackupStoreRefusesSystemFolders(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, store := range []string{"/", "/etc", "/etc/ssh", "/usr/local", "/var", "/tmp", "/root", "/lib64", "~", "~/"} {
		t.Run(store, func(t *testing.T) {
			dir, c := node(t, sim.Options{Release: "10.1.3.0", Users: 3})
			if err := sim.SetFault(dir, "backup", "fail", 1); err != nil {
				t.Fatal(err)
			}
			_, err := runMod(t, c, "sm.backup", backupTask(store))
			if err == nil || !strings.Contains(err.Error(), "folder of their own") {
				t.Fatalf("store %q: want a refusal, got %v", store, err)
			}
			for _, l := range c.Commands() {
				if strings.Contains(l, "backupSM") {
					t.Fatalf("store %q: the backup ran on the node before the store was refused", store)
				}
			}
		})
	}
}

// A node folder that exists keeps its mode (runbook never chmods a folder it
// did not create); folders runbook creates are 0700, the archive 0600.
func TestBackupStoreLeavesExistingFolderMode(t *testing.T) {
	store := filepath.Join(t.TempDir(), "backups")
	own := filepath.Join(store, "sm-dal")
	if err := os.MkdirAll(own, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(own, 0o755); err != nil {
		t.Fatal(err)
	}
	_, c := node(t, sim.Options{Release: "10.1.3.0", Users: 3})
	out, err := runMod(t, c, "sm.backup", backupTask(store))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(own); fi.Mode().Perm() != 0o755 {
		t.Errorf("existing node folder mode changed to %v", fi.Mode().Perm())
	}
	if fi, err := os.Stat(out.Values["archive"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("archive %s: %v %v", out.Values["archive"], fi, err)
	}

	fresh := filepath.Join(t.TempDir(), "new", "store")
	if _, err := runMod(t, c, "sm.backup", backupTask(fresh)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Dir(fresh), fresh, filepath.Join(fresh, "sm-dal")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("created folder %s: %v %v", d, fi.Mode().Perm(), err)
		}
	}
}

// A node folder that is a symbolic link would send the archive wherever it
// points: refused.
func TestBackupStoreRefusesSymlinkedNodeFolder(t *testing.T) {
	store, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(store, "sm-dal")); err != nil {
		t.Fatal(err)
	}
	_, c := node(t, sim.Options{Release: "10.1.3.0", Users: 3})
	if _, err := runMod(t, c, "sm.backup", backupTask(store)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("want a refusal of the symlinked node folder, got %v", err)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Fatalf("the archive went through the link: %v", ents)
	}
}

// "~/…" is the home folder, not a folder named "~" under the working
// directory.
func TestBackupStoreExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Chdir(t.TempDir())
	_, c := node(t, sim.Options{Release: "10.1.3.0", Users: 3})
	out, err := runMod(t, c, "sm.backup", backupTask("~/bk"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, "bk", "sm-dal"); filepath.Dir(out.Values["archive"]) != want {
		t.Fatalf("archive %s, want it in %s", out.Values["archive"], want)
	}
	if _, err := os.Stat("~"); err == nil {
		t.Fatal(`a literal "~" folder was created`)
	}
}

// A medium whose sha256 differs is refused naming the file and the expected
// value, never the file's actual digest (the manifest chooses the path).
func TestUploadMismatchHidesActualDigest(t *testing.T) {
	_, c := node(t, sim.Options{Release: "10.1.3.0"})
	local, actual := mediaFile(t, sim.Media{Kind: "release", Product: sim.KindSM, Release: "10.2.0.1"})
	want := strings.Repeat("ab", 32)
	_, err := runMod(t, c, "sm.upload", modules.Task{Args: map[string]string{"artifact": "a", "local": local, "remote": "/var/tmp/runbook/a.bin", "sha256": want}})
	if err == nil || !strings.Contains(err.Error(), local) || !strings.Contains(err.Error(), want) {
		t.Fatalf("want a refusal naming %s and %s, got %v", local, want, err)
	}
	if strings.Contains(err.Error(), actual) {
		t.Fatalf("the refusal prints the file's actual sha256: %v", err)
	}
}
