package eval

import (
	"os"
	"path/filepath"
	"testing"
)

// Media paths are relative to the manifest's directory, not to wherever
// runbook runs from; absolute paths stay as written.
func TestArtifactFileRelativeToManifest(t *testing.T) {
	dir := t.TempDir()
	src := `runbook "r" {
  target = "10.2.0.1"
}
artifact "rel" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "media/sm.bin"
}
artifact "abs" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "/srv/media/sm.bin"
}
`
	if err := os.WriteFile(filepath.Join(dir, "m.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(LoadOptions{Path: dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, a := range cfg.Artifacts {
		got[a.Name] = a.File
	}
	if want := filepath.Join(dir, "media", "sm.bin"); got["rel"] != want {
		t.Errorf("relative artifact file = %q, want %q", got["rel"], want)
	}
	if got["abs"] != "/srv/media/sm.bin" {
		t.Errorf("absolute artifact file = %q", got["abs"])
	}
}
