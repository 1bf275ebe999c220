package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// markerFile marks a folder as a lab directory, so that a later Start may
// reset or reuse it.
const markerFile = ".runbook-lab"

// ForeignDirError refuses a lab directory that holds files and was never a
// lab directory.
type ForeignDirError struct{ Dir string }

func (e *ForeignDirError) Error() string {
	return fmt.Sprintf("lab: %s is not empty and is not a lab directory (no %s); "+
		"the lab writes a key, known_hosts, media and backups there and resets nodes/: name a new or empty folder",
		e.Dir, markerFile)
}

// claimDir makes dir the lab directory: created when missing, taken when
// empty or already a lab directory, refused otherwise. The lab overwrites
// id_ed25519 and known_hosts and removes nodes/<name>, which must never hit
// an operator's own files (a --lab-dir naming ~/.ssh, say).
func claimDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	marker := filepath.Join(dir, markerFile)
	if _, err := os.Lstat(marker); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lab: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	for _, e := range ents {
		// .runbook holds the change lock that apply takes before the lab
		// starts (a kept lab folder is locked before its nodes are reset).
		if e.Name() != ".runbook" || !e.IsDir() {
			return &ForeignDirError{Dir: dir}
		}
	}
	if err := os.WriteFile(marker, []byte("runbook lab directory: simulated nodes, keys, media and backups of rehearsals\n"), 0o600); err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	return nil
}
