package sim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/internal/release"
)

// archiveManifest is the first member of a backup archive: what node and
// release it came from and the checksum of every data file.
type archiveManifest struct {
	Format     int               `json:"format"`
	Node       string            `json:"node"`
	Kind       string            `json:"kind"`
	Product    string            `json:"product"`
	Release    string            `json:"release"`
	SSP        int               `json:"ssp"`
	Created    time.Time         `json:"created"`
	Users      int               `json:"users"`
	DataDigest string            `json:"data_digest"`
	Files      map[string]string `json:"files"` // name -> sha256
}

const backupMinFreeMB = 100

// backupSM archives the node's user data to a tar.gz in the backup directory.
func (s *session) backupSM(args []string) int {
	fl, _ := parseFlags(args)
	dir := fl["dir"]
	if dir == "" {
		dir = BackupDir
	}
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	if st.DiskFreeMB["/var"] < backupMinFreeMB {
		return s.fail("insufficient disk space on /var for the backup: %d MB free, %d MB required", st.DiskFreeMB["/var"], backupMinFreeMB)
	}
	if code, done := s.phase("backup"); done {
		return code
	}
	fmt.Fprintln(s.stdout, "Backing up user data ...")
	if !s.sleep(backupTime) {
		return s.fail("backup interrupted")
	}
	t := now()
	name := fmt.Sprintf("%s_%s_%s.tar.gz", st.Node, st.Release, t.Format("20060102T150405Z"))
	remote := path.Join(dir, name)
	for i := 2; fileExists(s.n.path(remote)); i++ {
		remote = path.Join(dir, strings.TrimSuffix(name, ".tar.gz")+fmt.Sprintf("-%d.tar.gz", i))
	}
	if err := os.MkdirAll(filepath.Dir(s.n.path(remote)), 0o755); err != nil {
		return s.fail("%v", err)
	}
	if err := writeArchive(s.n.path(remote), s.n.data(), st, t, Users(s.dir)); err != nil {
		return s.fail("writing %s: %v", remote, err)
	}
	sum, err := FileSHA256(s.n.path(remote))
	if err != nil {
		return s.fail("%v", err)
	}
	err = s.update(func(st *State) error {
		st.Backups = append(st.Backups, Backup{Path: remote, SHA256: sum, Release: st.Release, Time: t})
		st.record(t, "backup", s.line, st.Release, "", remote)
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.stdout, "Backup archive: %s\nBackup SHA256: %s\nBackup completed successfully.\n", remote, sum)
	return s.end(0)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// writeArchive writes manifest.json and data/* into a tar.gz at dst.
func writeArchive(dst, data string, st *State, t time.Time, users int) error {
	ents, err := os.ReadDir(data)
	if err != nil {
		return err
	}
	digest, err := Digest(filepath.Dir(data))
	if err != nil {
		return err
	}
	m := archiveManifest{Format: 1, Node: st.Node, Kind: st.Kind, Product: product(st.Kind), Release: st.Release,
		SSP: st.SSP, Created: t, Users: users, DataDigest: digest, Files: map[string]string{}}
	bodies := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(data, e.Name()))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m.Files[e.Name()], bodies[e.Name()] = hex.EncodeToString(sum[:]), b
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: t}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	if err := add("manifest.json", mb); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(bodies)) {
		if err := add("data/"+name, bodies[name]); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o600)
}

// readArchive reads and checks an archive: every file must match the manifest.
func readArchive(p string) (archiveManifest, map[string][]byte, error) {
	var m archiveManifest
	f, err := os.Open(p)
	if err != nil {
		return m, nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, nil, fmt.Errorf("corrupt archive: %v", err)
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	seen := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, nil, fmt.Errorf("corrupt archive: %v", err)
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return m, nil, fmt.Errorf("corrupt archive: %v", err)
		}
		switch {
		case h.Name == "manifest.json":
			if err := json.Unmarshal(b, &m); err != nil {
				return m, nil, fmt.Errorf("corrupt archive manifest: %v", err)
			}
			seen = true
		case strings.HasPrefix(h.Name, "data/") && !strings.Contains(h.Name[5:], "/") && h.Name != "data/":
			files[h.Name[5:]] = b
		}
	}
	if !seen {
		return m, nil, fmt.Errorf("not a backup archive (no manifest)")
	}
	if len(files) != len(m.Files) {
		return m, nil, fmt.Errorf("corrupt archive: %d data files, manifest lists %d", len(files), len(m.Files))
	}
	for name, want := range m.Files {
		sum := sha256.Sum256(files[name])
		if hex.EncodeToString(sum[:]) != want {
			return m, nil, fmt.Errorf("corrupt archive: checksum mismatch for %s", name)
		}
	}
	return m, files, nil
}

// restoreSM puts an archive's user data back on the node.
func (s *session) restoreSM(args []string) int { return s.restore(args, "restore", "restoreSM") }

// migrate is the data migration utility: it brings data from an archive of an
// older line into the new release.
func (s *session) migrate(args []string) int { return s.restore(args, "migrate", "smDataMigration") }

func (s *session) restore(args []string, phase, tool string) int {
	_, arch, st, code, ok := s.fileArg(args, "archive", tool, "--archive FILE")
	if !ok {
		return code
	}
	m, files, err := readArchive(s.n.path(arch))
	if err != nil {
		return s.fail("%s: %v", arch, err)
	}
	if m.Product != product(st.Kind) || m.Kind != st.Kind {
		return s.fail("%s is a %s backup; this node is %s", arch, m.Kind, st.Kind)
	}
	if release.Compare(m.Release, st.Release) > 0 {
		return s.fail("%s was taken on release %s, newer than the installed %s", arch, m.Release, st.Release)
	}
	if code, done := s.phase(phase); done {
		return code
	}
	fmt.Fprintf(s.stdout, "Restoring user data from %s (release %s, %d users) ...\n", arch, m.Release, m.Users)
	if !s.sleep(restoreTime) {
		return s.fail("%s interrupted; nothing was changed", tool)
	}
	if err := replaceData(s.n.data(), files); err != nil {
		return s.fail("%v", err)
	}
	t := now()
	err = s.update(func(st *State) error {
		st.record(t, phase, s.line, m.Release, st.Release, arch)
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.stdout, "%s completed successfully.\n", tool)
	return s.end(0)
}

// replaceData swaps the node's data directory for files, via a rename so a
// crash leaves either the old or the new data.
func replaceData(data string, files map[string][]byte) error {
	tmp, err := os.MkdirTemp(filepath.Dir(data), ".restore-")
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	old := data + ".old"
	os.RemoveAll(old)
	if err := os.Rename(data, old); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, data); err != nil {
		return err
	}
	return os.RemoveAll(old)
}
