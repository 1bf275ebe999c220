package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const secret = "S3cr3t-Value-42"

// secretHCL makes the secret the connection password and has a user step
// print it on the node.
const secretHCL = `variable "pw" {
  type      = string
  sensitive = true
}

step "echo-pw" {
  module  = "shell"
  nodes   = ["sm-dal"]
  after   = "verify"
  command = "echo ${var.pw}"
}
`

// TestSecretNeverLeaks: a sensitive variable used as the connection password
// and echoed by a shell step appears nowhere: not on stdout or stderr, not in
// the change record, not in a saved plan (which keeps a salted hash of it and
// needs it again at apply); "(sensitive)" stands for it.
func TestSecretNeverLeaks(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", secretHCL,
		`  timeout          = "15s"`, "  timeout          = \"15s\"\n  password         = var.pw")
	planFile := filepath.Join(t.TempDir(), "secret.plan")
	stdout, stderr, code := runCLI(t, "", "plan", "--var", "pw="+secret, "--out", planFile, manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --out")
	noSecret(t, "plan stdout", stdout)
	noSecret(t, "plan stderr", stderr)
	stdout, stderr, code = runCLI(t, "", "plan", "--json", "--var", "pw="+secret, manifest)
	wantCode(t, code, 0, stdout, stderr, "plan --json")
	noSecret(t, "plan --json", stdout)
	if !strings.Contains(stdout, "echo (sensitive)") {
		t.Errorf("plan --json does not show the step's command as \"echo (sensitive)\"")
	}

	// The plan keeps only a salted hash of the sensitive value: apply
	// PLANFILE needs it again, and refuses another one.
	var doc struct {
		Salt      string `json:"variables_salt"`
		Variables map[string]struct {
			Sensitive bool            `json:"sensitive"`
			SHA256    string          `json:"sha256"`
			Value     json.RawMessage `json:"value"`
		} `json:"variables"`
	}
	if b, err := os.ReadFile(planFile); err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("plan file: %v", err)
	}
	if pw := doc.Variables["pw"]; !pw.Sensitive || len(pw.SHA256) != 64 || pw.Value != nil || len(doc.Salt) < 32 {
		t.Errorf("the plan file does not pin var.pw as a salted hash: %+v, salt %q", pw, doc.Salt)
	}
	for _, c := range []struct{ name, want string }{
		{"pw=Other-Value-43", "var.pw is not the value the plan was made with"},
		{"", "No value for required variable"},
	} {
		extra := []string{}
		if c.name != "" {
			extra = []string{"-var", c.name}
		}
		r := applyLab(t, planFile, extra...)
		wantCode(t, r.code, 1, r.stdout, r.stderr, "apply PLANFILE "+c.name)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("apply PLANFILE %s: want %q in:\n%s", c.name, c.want, r.stderr)
		}
		noSecret(t, "refused apply stderr", r.stderr)
	}

	r := applyLab(t, planFile, "-var", "pw="+secret)
	wantCode(t, r.code, 0, r.stdout, r.stderr, "apply --lab PLANFILE -var pw=…")
	noSecret(t, "apply stdout", r.stdout)
	noSecret(t, "apply stderr", r.stderr)
	if !strings.Contains(r.stdout, "(sensitive)") {
		t.Errorf("apply output does not show (sensitive) where the step's command names the secret")
	}
	// The step really ran, over the password-bearing connection.
	if !regexp.MustCompile(`echo-pw ok`).MatchString(r.stdout) {
		t.Errorf("the echo-pw step did not run ok:\n%s", tail(r.stdout, 3000))
	}
	seen := 0
	for _, root := range []string{r.records, planFile} {
		err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			seen++
			noSecret(t, p, string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen < 5 {
		t.Errorf("checked only %d files under the records and the plan", seen)
	}
	journal, err := os.ReadFile(filepath.Join(r.recordDir(t), "journal.jsonl"))
	if err != nil || !strings.Contains(string(journal), "(sensitive)") {
		t.Errorf("the journal does not record the step's command as (sensitive) (%v)", err)
	}
}

func noSecret(t *testing.T, where, s string) {
	t.Helper()
	if i := strings.Index(s, secret); i >= 0 {
		t.Errorf("the secret leaks into %s: …%s…", where, s[max(0, i-80):min(len(s), i+40)])
	}
}

// TestVarFileErrorsHideSecret: a -var-file that does not parse, or gives a
// sensitive variable a value of the wrong type, is reported at file:line:col
// with a snippet in which the value is masked, never printed.
func TestVarFileErrorsHideSecret(t *testing.T) {
	t.Parallel()
	manifest := copyExample(t, "core-cluster", secretHCL)
	for name, src := range map[string]string{
		"syntax":   "pw = \"" + secret + "\n",
		"trailing": "pw = \"" + secret + "\" extra # the NOC password\n",
		"type":     "pw = [\"" + secret + "\"]\n",
		"function": "pw = tonumber(\"" + secret + "\")\n",
	} {
		vf := filepath.Join(t.TempDir(), "secrets.tfvars")
		if err := os.WriteFile(vf, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := runCLI(t, "", "validate", "--no-color", "--var-file", vf, manifest)
		wantCode(t, code, 1, stdout, stderr, "validate --var-file", name)
		noSecret(t, name+": validate stderr", stderr)
		noSecret(t, name+": validate stdout", stdout)
		if !strings.Contains(stderr, "on "+vf+":") || !strings.Contains(stderr, "pw = *") {
			t.Errorf("%s: the diagnostic does not show the var file's masked snippet:\n%s", name, stderr)
		}
	}
}
