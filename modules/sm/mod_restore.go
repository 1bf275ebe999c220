package sm

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/modules"
)

// Restore is sm.restore (restoreSM) and sm.migrate (the data migration
// utility): both bring the pre-upgrade backup's data onto the node. When the
// archive is not on the node any more (a cross-line upgrade may wipe it), the
// controller's copy is uploaded first and checked against archive_sha256.
type Restore struct {
	P      *Profile
	name   string // sm.restore | sm.migrate
	action string // restore | migrate
}

// NewRestore and NewMigrate build the two modules.
func NewRestore(p *Profile) Restore { return Restore{p, "sm.restore", "restore"} }
func NewMigrate(p *Profile) Restore { return Restore{p, "sm.migrate", "migrate"} }

func (m Restore) Name() string { return m.name }

// remoteArchive is where the archive is (or goes) on the node.
func remoteArchive(t modules.Task) string {
	if r := t.Args["remote_archive"]; r != "" {
		return r
	}
	if a := t.Args["archive"]; a != "" {
		return path.Join("/var/opt/backup", filepath.Base(a))
	}
	return "<remote_archive>"
}

func (m Restore) Commands(t modules.Task) ([]string, error) {
	remote := remoteArchive(t)
	sum, err := render(m.P, t.Kind, "checksum", map[string]string{"path": remote})
	if err != nil {
		return nil, err
	}
	l, err := render(m.P, t.Kind, m.action, map[string]string{"archive": remote})
	return []string{sum, l}, err
}

func (m Restore) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if err := needArgs(t, m.name, "archive_sha256"); err != nil {
		return modules.Outcome{}, err
	}
	if t.Args["archive"] == "" && t.Args["remote_archive"] == "" {
		return modules.Outcome{}, fmt.Errorf("%s: %s needs archive or remote_archive", t.Node, m.name)
	}
	want, remote := strings.ToLower(t.Args["archive_sha256"]), remoteArchive(t)
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	if isDryRun(conn) || strings.HasPrefix(want, "<") {
		// A dry run: the backup it depends on was recorded, not taken
		// (its values are placeholders), so only the command is recorded.
		if _, err := r.run(ctx, m.action, map[string]string{"archive": remote}); err != nil && !errors.Is(err, errDryRun) {
			return modules.Outcome{}, err
		}
		return modules.Outcome{Summary: "dry-run: " + m.action + " recorded"}, nil
	}
	got, err := r.remoteSum(ctx, remote)
	var te *TransportError
	if errors.As(err, &te) {
		return modules.Outcome{}, err
	}
	uploaded := false
	if err != nil || got != want {
		if t.Args["archive"] == "" {
			return modules.Outcome{}, &Unmet{ObsArchive, t.Node, fmt.Sprintf("%s is not on the node (or differs) and no controller copy was given", remote)}
		}
		if local, err := fileSHA256(ctx, t.Args["archive"]); err != nil || local != want {
			return modules.Outcome{}, &Unmet{ObsArchive, t.Node, fmt.Sprintf("controller copy %s is missing or its sha256 differs from %s", t.Args["archive"], want)}
		}
		if !isDryRun(conn) {
			if _, err := r.run(ctx, "mkdir", map[string]string{"path": path.Dir(remote)}); err != nil {
				return modules.Outcome{}, err
			}
			if _, err := conn.Upload(ctx, t.Args["archive"], remote); err != nil {
				return modules.Outcome{}, fmt.Errorf("%s: uploading %s: %w", t.Node, t.Args["archive"], err)
			}
			if got, err := r.remoteSum(ctx, remote); err != nil {
				return modules.Outcome{}, err
			} else if got != want {
				return modules.Outcome{}, &Unmet{ObsArchive, t.Node, fmt.Sprintf("%s on the node: sha256 %s, backup was %s", remote, got, want)}
			}
			uploaded = true
		}
	}
	_, err = r.run(ctx, m.action, map[string]string{"archive": remote})
	if errors.Is(err, errDryRun) {
		return modules.Outcome{Summary: "dry-run: " + m.action + " recorded"}, nil
	}
	if err != nil {
		return modules.Outcome{}, err
	}
	s := fmt.Sprintf("%s from %s", m.action, remote)
	if uploaded {
		s += " (archive uploaded from the controller)"
	}
	return modules.Outcome{Values: map[string]string{"remote_archive": remote}, Summary: s}, nil
}
