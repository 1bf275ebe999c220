package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLabExamples runs every example against the built-in lab and checks the
// nodes themselves afterwards: at target, in service, data intact; and the
// change record with its files, private.
func TestLabExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range []string{"core-cluster", "mixed-fleet", "enterprise"} {
		t.Run(ex, func(t *testing.T) {
			t.Parallel()
			manifest := copyExample(t, ex, "")
			targets := planNodes(t, manifest)
			r := applyLab(t, manifest)
			wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab", ex)
			for name, target := range targets {
				snap := r.node(t, name)
				if snap.Release != target {
					t.Errorf("%s: release %s, want %s", name, snap.Release, target)
				}
				if snap.ServiceState != "accepting" {
					t.Errorf("%s: service state %s, want accepting", name, snap.ServiceState)
				}
				if want := initialDigest(t, name, 100); snap.DataDigest != want || snap.Users != 100 {
					t.Errorf("%s: data digest %s with %d users, want %s with 100 (the data did not survive)", name, snap.DataDigest, snap.Users, want)
				}
			}
			dir := r.recordDir(t)
			for _, f := range []string{"record.md", "record.json", "journal.jsonl", "plan.json"} {
				if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
					t.Errorf("record has no %s (%v)", f, err)
				}
			}
			checkPerms(t, r.records)
			doc, _ := r.recordJSON(t)
			if doc["status"] != "succeeded" {
				t.Errorf("record.json status %v, want succeeded", doc["status"])
			}
		})
	}
}

func TestLabRefused(t *testing.T) {
	t.Parallel()
	r := applyLab(t, examples+"/refused")
	wantCode(t, r.code, 1, r.stdout, r.stderr, "apply --lab refused")
	for _, rule := range []string{"platform.avp", "path.multi_hop", "bsm.above_core"} {
		if !strings.Contains(r.stderr, rule) {
			t.Errorf("refused apply does not name %s:\n%s", rule, r.stderr)
		}
	}
	if dirs, _ := filepath.Glob(filepath.Join(r.records, "*", "*-lab")); len(dirs) != 0 {
		t.Errorf("a refused apply left a run record: %v", dirs)
	}
}

// masks make a rendered record comparable: times, durations, hashes, the
// temporary folders and the operator.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{8}T\d{6}Z`), "TIME"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z`), "TIME"},
	{regexp.MustCompile(`\b[0-9a-f]{12,64}\b`), "HASH"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m|h)\b`), "DUR"},
	{regexp.MustCompile(`(DUR)+`), "DUR"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

func normalise(s string, replace map[string]string) string {
	for old, new := range replace {
		s = strings.ReplaceAll(s, old, new)
	}
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// TestLabRecordsAndShow: records lists the run, show renders it (golden,
// normalised), both for the run folder and the change folder.
func TestLabRecordsAndShow(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", "")
	r := applyLab(t, manifest)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab core-cluster")
	dir := r.recordDir(t)
	replace := map[string]string{filepath.Dir(r.records): "$TMP", filepath.Dir(manifest): "$TMP", who(t): "USER@HOST"}

	stdout, stderr, code := runCLI(t, "", "records", r.records)
	wantCode(t, code, 0, stdout, stderr, "records")
	if !strings.Contains(stdout, "CHG0031337") || !strings.Contains(stdout, "succeeded") || !strings.Contains(stdout, dir) {
		t.Errorf("records does not list the run %s:\n%s", dir, stdout)
	}
	golden(t, "records-core-cluster", normalise(stdout, replace))

	stdout, stderr, code = runCLI(t, "", "show", dir)
	wantCode(t, code, 0, stdout, stderr, "show", dir)
	for _, s := range []string{"succeeded", "core/sm-chi/1/undrain", "verify.data", "10.2.0.1"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("show does not mention %q", s)
		}
	}
	golden(t, "show-core-cluster", sortSteps(normalise(stdout, replace)))
	byChange, _, code := runCLI(t, "", "show", filepath.Dir(dir))
	if code != 0 || byChange != stdout {
		t.Errorf("show of the change folder (exit %d) differs from show of its only run", code)
	}
}

// who is the record's operator, user@host.
func who(t *testing.T) string {
	t.Helper()
	host, _ := os.Hostname()
	u := os.Getenv("USER")
	if u == "" {
		u = "root"
	}
	return u + "@" + host
}

// sortSteps keeps the rendered record stable where steps of different nodes
// run at the same time (prechecks, backups and uploads run ahead, guards are
// checked per node): the rows of every table are sorted, each paragraph's
// title and header line stay first.
func sortSteps(s string) string {
	body := strings.TrimRight(s, "\n")
	paras := strings.Split(body, "\n\n")
	for i, p := range paras {
		lines := strings.Split(p, "\n")
		if len(lines) > 3 {
			slices.Sort(lines[2:])
			paras[i] = strings.Join(lines, "\n")
		}
	}
	return strings.Join(paras, "\n\n") + s[len(body):]
}
