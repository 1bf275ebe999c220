package manifest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/engine/manifest/fixture"
)

// TestFixtures parses every fixture under testdata/fixtures (a file or a
// directory of files) and checks its diagnostics against its inline markers.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/fixtures/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			files, diags := manifest.ReadPath(p)
			_, pdiags := manifest.Parse(files)
			fixture.Check(t, p, append(diags, pdiags...))
		})
	}
}

func parseFile(t *testing.T, path string) (*manifest.Manifest, hcl.Diagnostics) {
	t.Helper()
	files, diags := manifest.ReadPath(path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return manifest.Parse(files)
}

func TestParseDesignExample(t *testing.T) {
	m, diags := parseFile(t, "../eval/testdata/valid/design.hcl")
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if m.Runbook == nil || m.Runbook.Name != "core-to-10-2" || m.Runbook.Window == nil || m.Runbook.Policy == nil {
		t.Fatalf("runbook not decoded: %+v", m.Runbook)
	}
	if got := len(m.Clusters); got != 1 {
		t.Fatalf("clusters = %d, want 1", got)
	}
	var names []string
	for _, n := range m.Clusters[0].Nodes {
		names = append(names, n.Type+":"+n.Name)
	}
	want := "session_manager:sm-dal session_manager:sm-chi branch_session_manager:bsm-austin"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("nodes = %q, want %q", got, want)
	}
	if m.SMGR == nil || m.SMGR.Name != "smgr" || m.Backup == nil || m.Lab == nil || len(m.Lab.Nodes) != 1 {
		t.Errorf("smgr/backup/lab not decoded: %+v %+v %+v", m.SMGR, m.Backup, m.Lab)
	}
	if len(m.Variables) != 1 || !m.Variables[0].Type.Equals(cty.String) {
		t.Errorf("variable type not decoded: %+v", m.Variables)
	}
	// The step's command stays an unevaluated expression with its range.
	cmd := m.Steps[0].Attr("command")
	if cmd == nil || cmd.Expr.Range().Start.Line != 85 {
		t.Fatalf("step command expression/range wrong: %+v", cmd)
	}
	if len(cmd.Expr.Variables()) != 1 || cmd.Expr.Variables()[0].RootName() != "node" {
		t.Errorf("command should reference node.name, got %v", cmd.Expr.Variables())
	}
	if m.Guards[0].Attr("condition") == nil || len(m.Locals) != 1 || len(m.Connections) != 1 || len(m.Artifacts) != 1 {
		t.Errorf("guard/locals/connection/artifact not decoded")
	}
}

func TestUnknownNamesCarryHints(t *testing.T) {
	_, diags := parseFile(t, "testdata/fixtures/unknown_attr.hcl")
	details := map[string]bool{}
	for _, d := range diags {
		details[d.Detail] = true
	}
	for _, want := range []string{
		`An argument named "relase" is not expected here. Did you mean "release"?`,
		`An argument named "colour" is not expected here. Valid arguments here: connection, core, host, platform, port, release, secondary, ssp, target.`,
		`An argument named "fial" is not expected here. Did you mean "fail"?`,
	} {
		if !details[want] {
			t.Errorf("missing detail %q in %v", want, diags)
		}
	}
	_, diags = parseFile(t, "testdata/fixtures/unknown_block.hcl")
	all := ""
	for _, d := range diags {
		all += d.Detail + "\n"
	}
	for _, want := range []string{`Did you mean "cluster"?`, `Did you mean "policy"?`, "Valid blocks here: artifact, backup, cluster,"} {
		if !strings.Contains(all, want) {
			t.Errorf("block hint %q missing in %s", want, all)
		}
	}
}

func TestSyntaxErrorStopsFileOnly(t *testing.T) {
	m, diags := manifest.Parse(map[string][]byte{
		"a.hcl": []byte("runbook \"r\" {\n  target = \n}\n"),
		"b.hcl": []byte("cluster \"core\" {}\n"),
	})
	if !diags.HasErrors() || !m.Incomplete {
		t.Fatalf("want a syntax error and Incomplete, got %v %v", diags, m.Incomplete)
	}
	if m.Runbook != nil || len(m.Clusters) != 1 {
		t.Errorf("the broken file must be left out and the other kept: %+v %d", m.Runbook, len(m.Clusters))
	}
}

func TestReadPath(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b.hcl": "", "a.hcl": "", "notes.txt": "", ".hidden.hcl": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files, diags := manifest.ReadPath(dir)
	if diags.HasErrors() || len(files) != 2 || files[filepath.Join(dir, "a.hcl")] == nil || files[filepath.Join(dir, "b.hcl")] == nil {
		t.Fatalf("ReadPath(dir) = %v, %v", files, diags)
	}
	if _, diags := manifest.ReadPath(t.TempDir()); !strings.Contains(diags.Error(), "No manifest files") {
		t.Errorf("empty dir: %v", diags)
	}
	if _, diags := manifest.ReadPath(filepath.Join(dir, "missing.hcl")); !strings.Contains(diags.Error(), "Cannot read manifest") {
		t.Errorf("missing file: %v", diags)
	}
}
