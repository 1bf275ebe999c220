package sm

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/runbook-dev/runbook/modules"
)

// Upload is sm.upload: put a medium on the node and check its sha256 there.
// A medium already on the node with the right checksum is not sent again.
type Upload struct{ P *Profile }

func (Upload) Name() string { return "sm.upload" }

func (m Upload) Commands(t modules.Task) ([]string, error) {
	remote := placeholder(t.Args, "remote")
	mk, err := render(m.P, t.Kind, "mkdir", map[string]string{"path": path.Dir(remote)})
	if err != nil {
		return nil, err
	}
	sum, err := render(m.P, t.Kind, "checksum", map[string]string{"path": remote})
	if err != nil {
		return nil, err
	}
	return []string{mk, "sftp put " + modules.Quote(placeholder(t.Args, "local")) + " " + modules.Quote(remote), sum}, nil
}

// Run checks the local file against the declared sha256, uploads it and
// checks the node's copy.
func (m Upload) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if err := needArgs(t, m.Name(), "local", "remote", "sha256"); err != nil {
		return modules.Outcome{}, err
	}
	want, remote := strings.ToLower(t.Args["sha256"]), t.Args["remote"]
	r := runner{p: m.P, conn: conn, kind: t.Kind, node: t.Node}
	done := modules.Outcome{Values: map[string]string{"remote": remote, "sha256": want}}
	if got, err := r.remoteSum(ctx, remote); err == nil && got == want {
		done.Summary = remote + " already on the node (sha256 matches)"
		return done, nil
	}
	if local, err := fileSHA256(ctx, t.Args["local"]); err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: artifact %s: %w", t.Node, t.Args["artifact"], err)
	} else if local != want {
		return modules.Outcome{}, &Unmet{ObsChecksum, t.Node, mismatch(t.Args["local"], want)}
	}
	_, err := r.run(ctx, "mkdir", map[string]string{"path": path.Dir(remote)})
	dry := errors.Is(err, errDryRun) || isDryRun(conn)
	if err != nil && !dry {
		return modules.Outcome{}, err
	}
	if dry {
		// The gate records the transfer; the node's copy cannot be checked.
		if _, err := conn.Upload(ctx, t.Args["local"], remote); err != nil {
			return modules.Outcome{}, err
		}
		done.Summary = "dry-run: upload recorded"
		return done, nil
	}
	sum, err := conn.Upload(ctx, t.Args["local"], remote)
	if err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: uploading %s: %w", t.Node, t.Args["artifact"], err)
	}
	if !strings.EqualFold(sum, want) {
		return modules.Outcome{}, &Unmet{ObsChecksum, t.Node, mismatch(t.Args["local"]+" as sent", want)}
	}
	got, err := r.remoteSum(ctx, remote)
	if err != nil {
		return modules.Outcome{}, err
	}
	if got != want {
		return modules.Outcome{}, &Unmet{ObsChecksum, t.Node, mismatch(remote+" on the node", want)}
	}
	done.Summary = fmt.Sprintf("uploaded %s to %s (sha256 %s)", t.Args["artifact"], remote, want)
	return done, nil
}

// mismatch says a medium does not have its declared sha256. It names the
// file and the expected value, never the actual digest: the manifest chooses
// the path, and the digest of an arbitrary file is not for its author to learn.
func mismatch(file, want string) string {
	return fmt.Sprintf("%s does not have the sha256 the artifact declares (%s)", file, want)
}
