package exec

import (
	"context"
	"strings"

	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/fileio"
)

// checkArtifacts hashes each medium the run will upload, once per file.
func (r *run) checkArtifacts() {
	seen := map[string]error{}
	for _, s := range r.steps {
		if !s.Planned(plan.PhaseUpload) {
			continue
		}
		local, want := s.Args["local"], s.Args["sha256"]
		err, done := seen[local+"\x00"+want]
		if !done {
			err = checkMedium(local, want)
			seen[local+"\x00"+want] = err
		}
		if err == nil {
			r.guardVerdict(s, s.Node, guard.ArtifactChecksum, record.VerdictPass, "sha256 matches "+local)
			continue
		}
		ge := err.(*GuardError)
		if r.opts.DryRun {
			r.guardVerdict(s, s.Node, ge.ID, record.VerdictWarn, ge.Message)
			continue
		}
		r.guardVerdict(s, s.Node, ge.ID, record.VerdictFail, ge.Message)
		r.fail(s.Node, s.ID, ge)
	}
}

// checkMedium hashes the medium at path and compares with the declared
// sha256. A mismatch names the file and the expected value, never the file's
// actual digest: the manifest chooses the path, and the digest of an
// arbitrary controller file is not for the manifest's author to learn.
func checkMedium(path, want string) error {
	got, _, err := fileio.SHA256(context.Background(), path)
	if err != nil {
		return guardErr(guard.ArtifactMissing, "medium %s: %v", path, err)
	}
	if want == "" {
		return guardErr(guard.ArtifactChecksum, "medium %s has no declared sha256: copy it from the vendor's download page into the artifact block", path)
	}
	if !strings.EqualFold(got, want) {
		return guardErr(guard.ArtifactChecksum, "medium %s does not have the sha256 the manifest declares (%s): check the file is the vendor's medium and the checksum is copied from the vendor's download page", path, want)
	}
	return nil
}
