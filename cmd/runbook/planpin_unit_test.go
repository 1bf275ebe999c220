package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
)

const pinVarsHCL = `variable "n" {
  type = number
}
variable "tags" {
  type    = list(string)
  default = []
}
variable "free" {
  default = "x"
}
variable "pw" {
  type      = string
  sensitive = true
}
`

// loadVars evaluates pinVarsHCL with the given -var options, var file and
// pinned values.
func loadVars(t *testing.T, pinned *pins, varFile string, vars ...string) *eval.Config {
	t.Helper()
	opts := eval.LoadOptions{Files: map[string][]byte{"vars.hcl": []byte(pinVarsHCL)}, Vars: vars}
	if varFile != "" {
		opts.VarFiles = []string{varFile}
	}
	if pinned != nil {
		vals, err := pinned.values()
		if err != nil {
			t.Fatal(err)
		}
		opts.Pinned = vals
	}
	cfg, diags := eval.Load(opts)
	for _, d := range diags {
		if d.Severity == hcl.DiagError && strings.Contains(strings.ToLower(d.Summary), "variable") {
			t.Fatalf("load: %s: %s", d.Summary, d.Detail)
		}
	}
	return cfg
}

// TestPinsRoundTrip: every kind of value (number, list, an untyped object
// from a var file) survives the plan file and is taken when nothing is
// given; a different value, or a different sensitive value, is refused by
// name; the sensitive value is kept only as a hash.
func TestPinsRoundTrip(t *testing.T) {
	varFile := filepath.Join(t.TempDir(), "v.tfvars")
	os.WriteFile(varFile, []byte("free = { a = 1, b = [true] }\n"), 0o600)
	made := loadVars(t, nil, varFile, "n=3", `tags=["a","b"]`, "pw=Hunter2-Secret")
	pn, err := makePins(made, &plan.Plan{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pn)
	if strings.Contains(string(b), "Hunter2-Secret") {
		t.Fatalf("the pins hold the secret: %s", b)
	}
	var back pins
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}

	same := loadVars(t, &back, "", "pw=Hunter2-Secret")
	if err := back.checkVariables(same); err != nil {
		t.Fatalf("the pinned values, given nothing: %v", err)
	}
	for _, name := range []string{"n", "tags", "free"} {
		if !same.Variables[name].Value.RawEquals(made.Variables[name].Value) {
			t.Errorf("var.%s = %#v, pinned %#v", name, same.Variables[name].Value, made.Variables[name].Value)
		}
	}
	if err := back.checkVariables(loadVars(t, &back, "", "pw=Hunter2-Secret", "n=3")); err != nil {
		t.Fatalf("the same value given again: %v", err)
	}
	for _, c := range []struct {
		vars []string
		want string
	}{
		{[]string{"pw=Hunter2-Secret", "n=4"}, "var.n = 4 differs"},
		{[]string{"pw=Hunter2-Secret", `tags=["a"]`}, "var.tags"},
		{[]string{"pw=Hunter2-Secret", "free=x"}, "var.free"},
		{[]string{"pw=Hunter3-Secret"}, "var.pw is not the value"},
	} {
		err := back.checkVariables(loadVars(t, &back, "", c.vars...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.vars, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "Hunter") {
			t.Errorf("the refusal shows the secret: %v", err)
		}
	}
}
