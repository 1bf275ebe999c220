package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lineOf is the 1-based line of the first occurrence of s in src.
func lineOf(t *testing.T, src, s string) int {
	t.Helper()
	i := strings.Index(src, s)
	if i < 0 {
		t.Fatalf("%q not in the manifest", s)
	}
	return strings.Count(src[:i], "\n") + 1
}

// A medium outside the manifest's folder is refused at its file attribute
// (it would be uploaded to every node); with media_dir the plan names it by
// its absolute path; a checksum mismatch names the file and the expected
// sha256, never the file's actual digest.
func TestMediaOutsideManifestFolder(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	content := []byte("not a Session Manager medium\n")
	medium := filepath.Join(outside, "Session_Manager_10.2.0.1.0.bin")
	if err := os.WriteFile(medium, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	actual := hex.EncodeToString(sum[:])
	declared := strings.Repeat("ab", 32)
	rel, err := filepath.Rel(dir, medium)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(multiHop, `file    = "media/Session_Manager_10.2.0.1.0.bin"`,
		fmt.Sprintf("file    = %q\n  sha256  = %q", rel, declared), 1)
	src += fmt.Sprintf("\nbackup {\n  store = %q\n}\n", filepath.Join(dir, "backups"))
	file := filepath.Join(dir, "upgrade.hcl")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := runCLI(t, dir, "plan", "--no-color", file)
	wantCode(t, code, 1, stdout, stderr, "plan with a medium outside the manifest's folder")
	at := fmt.Sprintf("%s:%d:", file, lineOf(t, src, "file    = \""+rel))
	for _, want := range []string{at, "Media file outside the manifest's folder", "media_dir", medium} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, stderr)
		}
	}

	// With media_dir the medium is taken and named for review.
	src = strings.Replace(src, `target    = "10.2.0.1"`, fmt.Sprintf("target    = \"10.2.0.1\"\n  media_dir = %q", outside), 1)
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runCLI(t, dir, "plan", "-v", "--no-color", file)
	wantCode(t, code, 0, stdout, stderr, "plan -v with media_dir")
	realMedium, _ := filepath.EvalSymlinks(medium)
	if !strings.Contains(stdout, "media from outside the manifest's folder") || !strings.Contains(stdout, "sm-10-2-0-1") ||
		!strings.Contains(stdout, "sftp put "+realMedium) {
		t.Errorf("the plan does not name the outside medium by its absolute path %s:\n%s", realMedium, tail(stdout, 3000))
	}

	r := applyLab(t, file)
	if r.code == 0 {
		t.Fatalf("apply --lab accepted a medium whose sha256 differs:\n%s", tail(r.stdout, 2000))
	}
	all := r.stdout + r.stderr
	if !strings.Contains(all, "artifact.checksum") || !strings.Contains(all, declared) || !strings.Contains(all, realMedium) {
		t.Errorf("the checksum refusal does not name the file and the expected sha256:\n%s\n%s", tail(r.stdout, 2000), r.stderr)
	}
	if strings.Contains(all, actual) {
		t.Errorf("the checksum refusal prints the file's actual sha256")
	}
}

// A backup store that is a system folder is refused by plan at the store
// attribute, with a hint, before any apply could write <store>/<node>.
func TestBackupStoreSystemFolderRefused(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"/", "/etc", "/usr/lib/runbook"} {
		dir := t.TempDir()
		src := multiHop + fmt.Sprintf("\nbackup {\n  store = %q\n}\n", store)
		file := filepath.Join(dir, "upgrade.hcl")
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runCLI(t, dir, "validate", "--no-color", file)
		wantCode(t, code, 1, stdout, stderr, "validate with store", store)
		at := fmt.Sprintf("%s:%d:", file, lineOf(t, src, "store = "))
		for _, want := range []string{at, "Backup store is not a folder of its own", "/var/backups/runbook"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("store %q: the refusal lacks %q:\n%s", store, want, stderr)
			}
		}
	}
}
