package sm

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestDefaultProfileLoads(t *testing.T) {
	p := DefaultProfile()
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		for _, a := range []string{"release", "ssp", "services", "backup", "upgrade", "ssp_install", "restore", "checksum", "mkdir"} {
			if !p.Has(k, a) {
				t.Errorf("%s has no %s", k, a)
			}
		}
	}
	if p.Has("system_manager", "uds_backup") {
		t.Error("system_manager should have no uds_backup")
	}
	if !p.Has("branch_session_manager", "uds_backup") {
		t.Error("branch_session_manager should inherit uds_backup")
	}
}

// Parsers against recorded node outputs (testdata/).
func TestParsersAgainstRecordedOutputs(t *testing.T) {
	p := DefaultProfile()
	cases := []struct {
		kind, action, file string
		text               string
		m                  map[string]string
	}{
		{"session_manager", "release", "swversion_sm.txt", "8.1.3.8", nil},
		{"system_manager", "release", "swversion_smgr.txt", "10.1.3.0", nil},
		{"session_manager", "ssp", "install_properties.txt", "41", nil},
		{"session_manager", "service_state", "service_state.txt", "denying", nil},
		{"session_manager", "active_calls", "active_calls.txt", "7", nil},
		{"session_manager", "clock", "date.txt", "2026-11-25T14:30:00Z", nil},
		{"session_manager", "backup", "backup.txt", "/var/opt/backup/sm-dal_8.1.3.8_20261125T143000Z.tar.gz", nil},
		{"session_manager", "checksum", "sha256sum.txt", "3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed", nil},
		{"session_manager", "services", "statapp.txt", "", map[string]string{"Asset": "up", "Cassandra": "up", "CallProcessing": "down", "DataReplication": "up", "SecurityModule": "up", "Watchdog": "up"}},
		{"session_manager", "disk", "df.txt", "", map[string]string{"/var": "4096", "/opt": "10240", "/swlibrary": "100352"}},
	}
	for _, c := range cases {
		out, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		a, err := p.Action(c.kind, c.action)
		if err != nil {
			t.Fatal(err)
		}
		v, err := a.ParseOutput(out)
		if err != nil {
			t.Errorf("%s.%s: %v", c.kind, c.action, err)
			continue
		}
		if v.Text != c.text || (c.m != nil && !reflect.DeepEqual(v.Map, c.m)) {
			t.Errorf("%s.%s: got %q %v", c.kind, c.action, v.Text, v.Map)
		}
	}
	// The SM label must not be read on SMGR's output and vice versa.
	a, _ := p.Action("session_manager", "release")
	out, _ := os.ReadFile("testdata/swversion_smgr.txt")
	var pe *ParseError
	if _, err := a.ParseOutput(out); !errors.As(err, &pe) {
		t.Errorf("SM release parser read SMGR output: %v", err)
	}
}

func TestRenderQuotesEveryValue(t *testing.T) {
	a, err := DefaultProfile().Action("session_manager", "upgrade")
	if err != nil {
		t.Fatal(err)
	}
	line, err := a.Render(map[string]string{"media": "/var/tmp/x; rm -rf /", "sha256": "$(id)"})
	if err != nil {
		t.Fatal(err)
	}
	if line != `upgradeSM --media '/var/tmp/x; rm -rf /' --sha256 '$(id)'` {
		t.Fatalf("unquoted: %s", line)
	}
	if _, err := a.Render(map[string]string{"media": "x"}); err == nil {
		t.Fatal("missing argument rendered")
	}
}

func TestLoadProfileDiagnostics(t *testing.T) {
	action := func(body string) string {
		return "kind \"session_manager\" {\n  action \"release\" {\n" + body + "\n  }\n}\n"
	}
	cases := map[string]string{
		"kind \"session_manger\" {\n}\n":                                               `Did you mean "session_manager"`,
		"kind \"session_manager\" {\n  action \"relase\" {\n command = \"x\"\n }\n}\n": `Did you mean "release"`,
		action("command = \"x\"\nparse = \"regex\""):                                   "needs regex",
		action("command = \"x\"\nparse = \"regex\"\nregex = \"(\""):                    "Invalid regex",
		action("command = \"x\"\nparse = \"regex_map\"\nregex = \"(a)\""):              "2 capture group",
		action("command = \"x\"\nparse = \"yaml\""):                                    "unknown parse",
		action("command = \"{{.x\""):                                                   "command template",
		action("command = \"x\"\ntimeout = \"soon\""):                                  "Invalid timeout",
		action("command = \"x\"\nbogus = 1"):                                           "bogus",
		action("command = 3 + \"a\""):                                                  "",
		action("parse = \"none\""):                                                     "command",
		"kind \"system_manager\" {\n  extends = \"nothing\"\n}\n":                      "not a kind",
		"kind \"session_manager\" {":                                                   "",
	}
	for src, want := range cases {
		_, err := LoadProfile([]byte(src), "p.hcl")
		var diags hcl.Diagnostics
		if !errors.As(err, &diags) || !diags.HasErrors() {
			t.Errorf("%s: no diagnostics (%v)", src, err)
			continue
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "p.hcl:") {
			t.Errorf("%s: %v, want %q with position", src, err, want)
		}
	}
}

func TestMergeReplacesSameKindAndAction(t *testing.T) {
	over, err := LoadProfile([]byte(`kind "session_manager" {
  action "active_calls" {
    command   = "/opt/site/calls"
    read_only = true
    parse     = "regex"
    regex     = "calls=([0-9]+)"
  }
}`), "site.hcl")
	if err != nil {
		t.Fatal(err)
	}
	m := DefaultProfile().Merge(over)
	a, _ := m.Action("session_manager", "active_calls")
	if a.Command != "/opt/site/calls" {
		t.Fatalf("override not applied: %s", a.Command)
	}
	// BSM inherits the override through extends; other actions stay.
	if a, _ := m.Action("branch_session_manager", "active_calls"); a.Command != "/opt/site/calls" {
		t.Fatalf("bsm: %s", a.Command)
	}
	if a, _ := m.Action("session_manager", "release"); a.Command != "bash -lc swversion" {
		t.Fatalf("release changed: %s", a.Command)
	}
	if a, _ := DefaultProfile().Action("session_manager", "active_calls"); a.Command == "/opt/site/calls" {
		t.Fatal("merge modified the default profile")
	}
}
