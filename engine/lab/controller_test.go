package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/sftp"

	"github.com/runbook-dev/runbook/modules"
	rssh "github.com/runbook-dev/runbook/modules/ssh"
)

// notesDir is a controller folder holding one file, "marker", that no lab
// session may touch.
func notesDir(t *testing.T) (dir, marker string) {
	t.Helper()
	dir = t.TempDir()
	marker = filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, marker
}

// untouched fails the test unless dir holds only marker, unchanged.
func untouched(t *testing.T, dir, marker string) {
	t.Helper()
	if b, err := os.ReadFile(marker); err != nil || string(b) != "keep" {
		t.Errorf("the controller's file changed: %q %v", b, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("the controller's folder changed: %v", ents)
	}
}

// A lab node's host is the controller: a command line the simulator does
// not model is not run (the Conn marks it NotExecuted), one it models runs
// simulated.
func TestUserCommandsNeverRunOnTheController(t *testing.T) {
	l := startLab(t, testConfig(""))
	notes, marker := notesDir(t)
	conn, err := l.Dialer(rssh.NewDialer(rssh.Options{NoAgent: true})).Dial(t.Context(), manifestTarget("sm-dal"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, line := range []string{
		"rm -f " + notes + "/*",
		"bash -lc 'rm -f " + marker + " && touch " + notes + "/created'",
		"sh -c 'echo x > " + notes + "/created'",
		"touch " + notes + "/created",
	} {
		res, err := conn.Run(t.Context(), modules.Command{Line: line})
		if err != nil || !res.NotExecuted {
			t.Errorf("%s: %+v, %v; want not executed", line, res, err)
		}
	}
	res, err := conn.Run(t.Context(), modules.Command{Line: "cat /opt/Avaya/install.properties"})
	if err != nil || res.NotExecuted || res.ExitCode != 0 || !strings.Contains(string(res.Stdout), "Release=8.1.3.8") {
		t.Errorf("a modelled command: %+v, %v", res, err)
	}
	untouched(t, notes, marker)
}

// SFTP paths naming controller folders, absolute or climbing with "..",
// stay inside the node's lab root: create, mkdir, rename and remove; and
// SFTP makes no link that could lead out of it.
func TestSFTPControllerPathsStayInTheLab(t *testing.T) {
	l := startLab(t, testConfig(""))
	notes, marker := notesDir(t)
	c := dial(t, l, "sm-dal")
	sc, err := sftp.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if err := sc.MkdirAll(notes + "/dir"); err != nil {
		t.Errorf("mkdir: %v", err)
	}
	upload(t, c, "/../../../.."+notes+"/created", []byte("x"))
	upload(t, c, "../../../../../.."+notes+"/relative", []byte("y"))
	if err := sc.Rename(notes+"/created", "/../"+notes+"/renamed"); err != nil {
		t.Errorf("rename: %v", err)
	}
	if err := sc.Remove(marker); err == nil {
		t.Error("removed a file the node does not have")
	}
	// No link can lead out of the root later.
	if err := sc.Symlink(notes, "/var/tmp/runbook/notes"); err == nil {
		t.Error("sftp created a symlink in the node's root")
	}
	if err := sc.Link(marker, "/var/tmp/runbook/marker"); err == nil {
		t.Error("sftp created a hard link in the node's root")
	}
	untouched(t, notes, marker)
	root := filepath.Join(l.StateDir("sm-dal"), "root")
	for _, name := range []string{"renamed", "relative", "dir"} {
		if _, err := os.Stat(filepath.Join(root, notes, name)); err != nil {
			t.Errorf("%s is not in the node's lab root: %v", name, err)
		}
	}
}
