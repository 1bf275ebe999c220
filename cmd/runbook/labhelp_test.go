package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// storeRE finds the backup store attribute of a manifest.
var storeRE = regexp.MustCompile(`(?m)^(\s*store\s*=\s*)"backups([^"]*)"`)

// copyExample copies an example's *.hcl files into a new temporary folder,
// points its backup store there (the store is a controller folder relative
// to the working directory, which must stay the package folder) and appends
// extra HCL; edits are old, new pairs replaced in every file. It returns the
// folder.
func copyExample(t *testing.T, name, extra string, edits ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(examples, name, "*.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("example %s: no files (%v)", name, err)
	}
	store := filepath.Join(filepath.Dir(dir), "backups")
	hasStore := false
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = []byte(strings.NewReplacer(edits...).Replace(string(src)))
		if storeRE.Match(src) {
			hasStore = true
			src = storeRE.ReplaceAll(src, []byte(`${1}"`+store+`${2}"`))
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), src, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !hasStore {
		extra = "backup {\n  store = \"" + store + "\"\n}\n" + extra
	}
	if extra != "" {
		if err := os.WriteFile(filepath.Join(dir, "zz_test.hcl"), []byte(extra), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// labRun is one apply --lab and where it left its state.
type labRun struct {
	stdout, stderr string
	code           int
	records, lab   string
}

// applyLab runs apply --lab --auto-approve on a manifest folder with its
// records and lab state in new temporary folders.
func applyLab(t *testing.T, manifest string, extra ...string) labRun {
	t.Helper()
	base := t.TempDir()
	r := labRun{records: filepath.Join(base, "records"), lab: filepath.Join(base, "lab")}
	args := append([]string{"apply", "--lab", "--auto-approve", "--no-color", "--records", r.records, "--lab-dir", r.lab}, extra...)
	args = append(args, manifest)
	r.stdout, r.stderr, r.code = runCLI(t, base, args...)
	return r
}

// node reads a lab node's simulated state.
func (r labRun) node(t *testing.T, name string) sim.Snapshot {
	t.Helper()
	snap, err := sim.Show(filepath.Join(r.lab, "nodes", name))
	if err != nil {
		t.Fatalf("node %s: %v", name, err)
	}
	return snap
}

// recordDir is the one run folder under the records folder.
func (r labRun) recordDir(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-lab"))
	if len(dirs) != 1 {
		t.Fatalf("want one lab record under %s, found %v", r.records, dirs)
	}
	return dirs[0]
}

// recordJSON reads record.json of the run as a generic document.
func (r labRun) recordJSON(t *testing.T) (map[string]any, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.recordDir(t), "record.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("record.json: %v", err)
	}
	return doc, string(b)
}

// initialDigest is the data digest the lab gives a node when it initialises
// it: the simulator writes the same data for the same node name and users.
func initialDigest(t *testing.T, node string, users int) string {
	t.Helper()
	dir := t.TempDir()
	if err := sim.Init(dir, sim.Options{Node: node, Kind: sim.KindSM, Release: "10.1.3.0", Users: users}); err != nil {
		t.Fatal(err)
	}
	d, err := sim.Digest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// planNodes reads the nodes and targets of a manifest from plan --json.
func planNodes(t *testing.T, manifest string) map[string]string {
	t.Helper()
	stdout, stderr, code := runCLI(t, "", "plan", "--json", manifest)
	wantCode(t, code, 0, stdout, stderr, "plan", "--json", manifest)
	var p struct {
		Nodes []struct{ Name, Target, Release string } `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range p.Nodes {
		out[n.Name] = n.Target
	}
	return out
}

// checkPerms asserts records are 0600 files in 0700 folders.
func checkPerms(t *testing.T, root string) {
	t.Helper()
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		mode := info.Mode().Perm()
		switch {
		case info.IsDir() && p != root && mode != 0o700:
			t.Errorf("%s: folder mode %o, want 700", p, mode)
		case !info.IsDir() && !strings.HasPrefix(info.Name(), ".") && mode != 0o600:
			t.Errorf("%s: file mode %o, want 600", p, mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
