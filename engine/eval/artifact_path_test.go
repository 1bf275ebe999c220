package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Media paths are relative to the manifest's directory, not to wherever
// runbook runs from; an absolute path outside it needs media_dir.
func TestArtifactFileRelativeToManifest(t *testing.T) {
	dir := t.TempDir()
	src := `runbook "r" {
  target    = "10.2.0.1"
  media_dir = "/srv/media"
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

func loadManifest(t *testing.T, dir, src string) (*Config, string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "m.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) == 0 {
		return cfg, ""
	}
	return cfg, diags.Error()
}

// A medium outside the manifest's folder (by "..", an absolute path or a
// link beside the manifest) is refused without media_dir: it would be
// uploaded to every node.
func TestArtifactFileOutsideManifestRefused(t *testing.T) {
	outside := t.TempDir()
	medium := filepath.Join(outside, "SM.bin")
	if err := os.WriteFile(medium, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string]string{
		"dotdot": "../../../../../../../../etc/shadow",
		"abs":    medium,
		"link":   "media/SM.bin",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "media"), 0o700)
			if err := os.Symlink(medium, filepath.Join(dir, "media", "SM.bin")); err != nil {
				t.Fatal(err)
			}
			_, diags := loadManifest(t, dir, `runbook "r" {
  target = "10.2.0.1"
}
artifact "a" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "`+file+`"
}
`)
			if !strings.Contains(diags, "m.hcl:7,") || !strings.Contains(diags, "Media file outside the manifest's folder") || !strings.Contains(diags, "media_dir") {
				t.Fatalf("want a refusal at file naming media_dir, got %q", diags)
			}
		})
	}
}

// With media_dir (~ expanded) the same files are taken, as absolute paths
// the plan shows for review.
func TestArtifactFileFromMediaDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.MkdirAll(filepath.Join(home, "avaya-media"), 0o700); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, diags := loadManifest(t, dir, `runbook "r" {
  target    = "10.2.0.1"
  media_dir = "~/avaya-media"
}
artifact "a" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "~/avaya-media/SM.bin"
}
artifact "b" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "media/SM.bin"
}
`)
	if diags != "" {
		t.Fatal(diags)
	}
	realHome, _ := filepath.EvalSymlinks(home)
	media := filepath.Join(realHome, "avaya-media")
	if cfg.Runbook.MediaDir != media {
		t.Errorf("media_dir = %q, want %q", cfg.Runbook.MediaDir, media)
	}
	a, b := cfg.Artifacts[0], cfg.Artifacts[1]
	if a.File != filepath.Join(media, "SM.bin") || a.MediaDir != media {
		t.Errorf("artifact a: file %q media_dir %q", a.File, a.MediaDir)
	}
	if b.File != filepath.Join(dir, "media", "SM.bin") || b.MediaDir != "" {
		t.Errorf("artifact b: file %q media_dir %q", b.File, b.MediaDir)
	}
}

// "~" in the store is the home folder (not a "./~" folder); the home folder
// itself and system folders are refused at the attribute.
func TestBackupStorePaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for store, want := range map[string]string{
		"~/runbook-backups": "",
		"backups":           "",
		"~":                 "the home folder itself",
		"~/":                "the home folder itself",
		"/":                 "a system folder",
		"/var":              "a system folder",
		"/usr/local/bk":     "inside the system folder /usr",
		"/lib/x":            "inside the system folder",
		".":                 "the manifest's own folder",
	} {
		t.Run(store, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			cfg, diags := loadManifest(t, dir, `runbook "r" {
  target = "10.2.0.1"
}
backup {
  store = "`+store+`"
}
`)
			if want == "" {
				if diags != "" {
					t.Fatal(diags)
				}
				if strings.HasPrefix(store, "~") && cfg.Backup.Store != filepath.Join(home, store[2:]) {
					t.Fatalf("store %q, want it under %s", cfg.Backup.Store, home)
				}
				return
			}
			if !strings.Contains(diags, "m.hcl:5,") || !strings.Contains(diags, "Backup store is not a folder of its own") || !strings.Contains(diags, want) {
				t.Fatalf("store %q: want a refusal (%s) at the attribute, got %q", store, want, diags)
			}
		})
	}
}
