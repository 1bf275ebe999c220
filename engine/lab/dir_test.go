package lab

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A lab directory that names a folder of the operator's (here one holding
// an SSH key and known_hosts) is refused before anything is written; a new
// or empty folder becomes a lab directory, which a later Start takes again.
func TestStartRefusesAForeignDirectory(t *testing.T) {
	ssh := t.TempDir()
	files := map[string]string{"id_ed25519": "the operator's key\n", "known_hosts": "sm-dal.example.net ssh-ed25519 AAAA\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ssh, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Start(t.Context(), testConfig(""), Options{Dir: ssh})
	var fe *ForeignDirError
	if !errors.As(err, &fe) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("Start in a foreign folder: %v, want a *ForeignDirError", err)
	}
	for name, body := range files {
		if b, err := os.ReadFile(filepath.Join(ssh, name)); err != nil || string(b) != body {
			t.Errorf("%s was changed: %q %v", name, b, err)
		}
	}
	if ents, _ := os.ReadDir(ssh); len(ents) != len(files) {
		t.Errorf("the lab wrote into the refused folder: %v", ents)
	}

	dir := filepath.Join(t.TempDir(), "new")
	for range 2 {
		l := startLabOpts(t, testConfig(""), Options{Dir: dir})
		l.Close()
	}
}
