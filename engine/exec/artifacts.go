package exec

import (
	"context"
	"strings"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/fileio"
)

// Artifact guard ids: a medium of an upload step is missing, or its sha256
// is not the one the manifest declares. Both refuse an apply before anything
// changes; under dry-run they are warnings.
const (
	GuardArtifactMissing  = "artifact.missing"
	GuardArtifactChecksum = "artifact.checksum"
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
			r.guardVerdict(s, s.Node, GuardArtifactChecksum, record.VerdictPass, "sha256 matches "+local)
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

func checkMedium(path, want string) error {
	got, _, err := fileio.SHA256(context.Background(), path)
	if err != nil {
		return guardErr(GuardArtifactMissing, "medium %s: %v", path, err)
	}
	if want == "" {
		return guardErr(GuardArtifactChecksum, "medium %s has no declared sha256 (it is %s)", path, got)
	}
	if !strings.EqualFold(got, want) {
		return guardErr(GuardArtifactChecksum, "medium %s: sha256 %s, the manifest declares %s", path, got, want)
	}
	return nil
}
