package copy_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules"
	filecopy "github.com/runbook-dev/runbook/modules/copy"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func TestCopyUploads(t *testing.T) {
	dir, c := testkit.SimNode(t, "n", sim.Options{}, sim.Env{})
	src := filepath.Join(t.TempDir(), "motd")
	os.WriteFile(src, []byte("maintenance tonight\n"), 0o644)
	task := modules.Task{Node: "n", Args: map[string]string{"source": src, "destination": "/etc/motd"}}
	out, err := filecopy.Module{}.Run(context.Background(), c, task)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := sim.FileSHA256(src)
	if out.Values["sha256"] != want {
		t.Fatalf("%+v", out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "root/etc/motd")); string(b) != "maintenance tonight\n" {
		t.Fatalf("node file: %q", b)
	}
	if _, err := (filecopy.Module{}).Commands(modules.Task{Args: map[string]string{"source": src}}); err == nil {
		t.Fatal("missing destination accepted")
	}
}

// "~/…" in source is the home folder of the user running runbook, as in
// every controller path, not a "~" folder under the working directory.
func TestCopySourceExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir, c := testkit.SimNode(t, "n", sim.Options{}, sim.Env{})
	if err := os.WriteFile(filepath.Join(home, "motd"), []byte("from home\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	task := modules.Task{Node: "n", Args: map[string]string{"source": "~/motd", "destination": "/etc/motd"}}
	if _, err := (filecopy.Module{}).Run(context.Background(), c, task); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "root/etc/motd")); string(b) != "from home\n" {
		t.Fatalf("node file: %q", b)
	}
}
