package record

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestCommitRecordOnly(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required for this test")
	}
	repo := t.TempDir()
	gitT(t, repo, "init", "-q")
	gitT(t, repo, "config", "user.name", "Runbook Test")
	gitT(t, repo, "config", "user.email", "test@example.net")
	gitT(t, repo, "config", "commit.gpgsign", "false")
	// Something the user staged for their own commit must stay out of ours.
	os.WriteFile(filepath.Join(repo, "upgrade.hcl"), []byte("runbook \"x\" {}\n"), 0o644)
	gitT(t, repo, "add", "upgrade.hcl")

	dir, err := NewRecordDir(filepath.Join(repo, "records"), "CHG0031337", ModeApply, t0)
	if err != nil {
		t.Fatal(err)
	}
	writeFixtureRecord(t, dir, NewRedactor(testSecret))
	if err := Commit(dir, "CHG0031337: apply failed"); err != nil {
		t.Fatal(err)
	}
	if msg := gitT(t, repo, "log", "-1", "--format=%s"); strings.TrimSpace(msg) != "CHG0031337: apply failed" {
		t.Fatalf("commit message %q", msg)
	}
	files := gitT(t, repo, "show", "--name-only", "--format=", "HEAD")
	for _, f := range []string{RecordJSON, RecordMD, PlanFile, JournalFile} {
		if !strings.Contains(files, "records/CHG0031337/20261205T010000Z-apply/"+f) {
			t.Errorf("%s not committed:\n%s", f, files)
		}
	}
	if strings.Contains(files, "upgrade.hcl") {
		t.Fatal("the user's staged file was committed with the record")
	}
	if st := gitT(t, repo, "status", "--porcelain"); !strings.Contains(st, "A  upgrade.hcl") {
		t.Fatalf("user's staged file no longer staged: %q", st)
	}
	if out := gitT(t, repo, "remote"); out != "" {
		t.Fatalf("unexpected remotes %q", out)
	}
}

func TestCommitOutsideRepo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	err := Commit(dir, "x")
	var nr *NotInRepoError
	if !errors.As(err, &nr) || nr.Dir != dir {
		t.Fatalf("Commit outside a repo = %v, want *NotInRepoError", err)
	}
}
