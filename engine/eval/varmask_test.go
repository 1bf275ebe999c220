package eval_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/manifest"
)

const varSecret = "S3cr3t-Value-42"

const varManifest = `runbook "r" {
  target = "10.2.0.1"
}
variable "pw" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.pw) > 40
    error_message = "The password is too short."
  }
}
variable "token" {
  type      = list(string)
  sensitive = true
  default   = []
}
variable "calls" {
  type    = number
  default = 0
}
`

// Snippets of a -var-file never show the value of a sensitive variable,
// whether the file does not parse, the value does not fit its type, a
// function fails on it or its validation fails; other values still show,
// and the caret stays under the column the diagnostic names.
func TestVarFileSnippetsMaskSensitiveValues(t *testing.T) {
	cases := map[string]struct {
		name, src string
		caret     string // the snippet and caret lines expected, "" to skip
	}{
		"unterminated":   {"v.tfvars", "calls = 3\npw = \"" + varSecret + "\n", ""},
		"trailing":       {"v.tfvars", "pw = \"" + varSecret + "\" extra\ncalls = 1\n", ""},
		"wrong type":     {"v.tfvars", "pw = [\"" + varSecret + "\"]\n", "     1: pw = *******************\n             ^^^^^^^^^^^^^^^^^^^\n"},
		"function":       {"v.tfvars", "pw = tonumber(\"" + varSecret + "\")\n", ""},
		"validation":     {"v.tfvars", "pw = \"" + varSecret + "\"\n", "     1: pw = *****************\n             ^^^^^^^^^^^^^^^^^\n"},
		"heredoc broken": {"v.tfvars", "pw = <<EOT\n" + varSecret + "\nEOT extra\ncalls = [\n", ""},
		"list broken":    {"v.tfvars", "token = [\n  \"" + varSecret + "\",\n  \"b\" \"c\"\n]\ncalls = 2\n", ""},
		"json broken":    {"v.json", `{"calls": 1, "pw": "` + varSecret + `",}` + "\n", ""},
		"json type":      {"v.json", `{"calls": 1, "pw": ["` + varSecret + `"]}` + "\n", ""},
		"other value":    {"v.tfvars", "pw = \"" + varSecret + "\"\ncalls = \"many\"\n", "     2: calls = \"many\"\n                ^^^^^^\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "m.hcl"), []byte(varManifest), 0o600); err != nil {
				t.Fatal(err)
			}
			vf := filepath.Join(dir, c.name)
			if err := os.WriteFile(vf, []byte(c.src), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, diags := eval.Load(eval.LoadOptions{Path: dir, VarFiles: []string{vf}})
			if !diags.HasErrors() {
				t.Fatalf("no error for %q", c.src)
			}
			var out bytes.Buffer
			if err := manifest.WriteDiagnostics(&out, cfg.Files, diags, 0, false); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if !strings.Contains(text, "on "+vf+":") {
				t.Fatalf("no diagnostic points into the var file:\n%s", text)
			}
			if strings.Contains(text, varSecret) {
				t.Fatalf("the sensitive value shows:\n%s", text)
			}
			if c.caret != "" && !strings.Contains(text, c.caret) {
				t.Fatalf("want the snippet\n%s\ngot:\n%s", c.caret, text)
			}
		})
	}
}
