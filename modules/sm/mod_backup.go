package sm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/internal/fileio"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/localpath"
)

// Backup is sm.backup: run the node's backup, pull the archive to
// <store>/<node>/ on the controller and check it arrived whole. Backups
// leave the box, checksummed, before the box changes.
type Backup struct{ P *Profile }

func (Backup) Name() string { return "sm.backup" }

// placeholder stands for a value known only at run time in plan output.
func placeholder(args map[string]string, name string) string {
	if v := args[name]; v != "" {
		return v
	}
	return "<" + name + ">"
}

func (m Backup) Commands(t modules.Task) ([]string, error) {
	b, err := render(m.P, t.Kind, "backup", nil)
	if err != nil {
		return nil, err
	}
	c, err := render(m.P, t.Kind, "checksum", map[string]string{"path": "<remote_archive>"})
	if err != nil {
		return nil, err
	}
	return []string{b, c, "sftp get " + modules.Quote("<remote_archive>") + " " + modules.Quote(filepath.Join(t.Args["store"], t.Node)+"/")}, nil
}

// Run takes the backup. Outcome.Values: archive (local path),
// archive_sha256, remote_archive.
func (m Backup) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if err := needArgs(t, m.Name(), "store"); err != nil {
		return modules.Outcome{}, err
	}
	// The store is checked before the node is touched.
	dir, err := nodeStore(t.Args["store"], t.Node)
	if err != nil {
		return modules.Outcome{}, err
	}
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	v, err := r.value(ctx, "backup", nil)
	if errors.Is(err, errDryRun) {
		return modules.Outcome{Summary: "dry-run: backup recorded", Values: map[string]string{
			"archive": "<archive>", "archive_sha256": "<archive_sha256>", "remote_archive": "<remote_archive>"}}, nil
	}
	if err != nil {
		return modules.Outcome{}, err
	}
	remote := v.Text
	remoteSum, err := r.remoteSum(ctx, remote)
	if err != nil {
		return modules.Outcome{}, err
	}
	// <store>/<node>/ is created 0700; a folder that exists is used as it
	// is: runbook never changes the mode of a folder it did not create.
	if err := localpath.MkdirPrivate(dir); err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: backup store: %w", t.Node, err)
	}
	local := filepath.Join(dir, path.Base(remote))
	sum, err := conn.Download(ctx, remote, local)
	if err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: pulling backup %s: %w", t.Node, remote, err)
	}
	if err := os.Chmod(local, 0o600); err != nil {
		return modules.Outcome{}, err
	}
	// What arrived is reported, not judged: the engine's backup.verify
	// checks the archive is there, not empty and has the node's sha256.
	// The sum as received differing from the node's is reported unmet, so
	// a step block running sm.backup fails on it too.
	out := modules.Outcome{
		Values:  map[string]string{"archive": local, "archive_sha256": strings.ToLower(remoteSum), "remote_archive": remote},
		Summary: fmt.Sprintf("backup %s pulled to %s (sha256 %s)", remote, local, sum),
	}
	if !strings.EqualFold(sum, remoteSum) {
		return out, &Unmet{ObsArchive, t.Node, fmt.Sprintf("archive %s: sha256 %s on the controller, %s on the node", local, sum, remoteSum)}
	}
	return out, nil
}

// nodeStore checks the backup store and returns <store>/<node>. The
// evaluator checked the store already; this check holds for a saved plan too.
func nodeStore(store, node string) (string, error) {
	if node != filepath.Base(node) && node != "" || node == "." || node == ".." {
		return "", fmt.Errorf("backup: node name %q cannot name a folder", node)
	}
	store, err := localpath.ExpandHome(store)
	if err != nil {
		return "", fmt.Errorf("backup store: %w", err)
	}
	abs, err := localpath.Resolve(store, "")
	if err != nil {
		return "", fmt.Errorf("backup store %q: %w", store, err)
	}
	if why := localpath.NotDedicated(abs, ""); why != "" {
		return "", fmt.Errorf("backup store %s is %s; backups need a folder of their own", abs, why)
	}
	return filepath.Join(store, node), nil
}

// fileSHA256 is the hex sha256 of a controller file.
func fileSHA256(ctx context.Context, p string) (string, error) {
	sum, _, err := fileio.SHA256(ctx, p)
	return sum, err
}
