package eval_test

import (
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
)

// TestEdgeInputs feeds inputs that once looked risky (missing labels, nulls
// inside collections, marks on non-strings, unknowns from failed locals); each
// must come back as diagnostics or a config, never a panic.
func TestEdgeInputs(t *testing.T) {
	for _, src := range []string{
		`runbook {}`,
		`runbook "a" "b" {}`,
		`cluster {}`,
		`variable "x" {
  type    = list(string)
  default = [null]
}
runbook "r" { description = join(",", var.x) }`,
		`variable "n" {
  sensitive = true
  default   = { a = 1, b = [true, null] }
}
runbook "r" { description = jsonencode(var.n) }`,
		`locals { a = local.b
b = local.a }
runbook "r" {
  target = local.a
  policy { durations = local.b }
}`,
		`runbook "r" { policy { durations = { backup = null, (upper("x")) = "1m" } } }`,
		`runbook "r" { policy { parallel = 1e400 } }`,
		`runbook "r" { policy { max_active_calls = -1 } }`,
		`step "s" {
  module = "shell"
  nodes = [null]
  command = 1
  depends_on = "x"
}`,
		`step "s" {
  module = "wait"
  duration = var.nope
  depends_on = [step.s.x, 1, "s"]
}`,
		`guard "g" {
  phase = null
  condition = facts
  message = node
}`,
		`lab { node "x" { clock_skew = "-5m" } }`,
		`variable "v" {
  validation {
    condition = var.v
    error_message = local.x
  }
  default = "x"
}`,
		`variable "v" {
  sensitive = "yes"
  description = 1
  type = map(any)
  default = { a = [] }
}`,
	} {
		cfg, _ := eval.Load(eval.LoadOptions{Files: map[string][]byte{"e.hcl": []byte(src)},
			Vars: []string{"=x", " ="}, Env: []string{"RUNBOOK_VAR_", "RUNBOOK_VAR_v"}})
		if cfg == nil {
			t.Fatalf("nil config for %q", src)
		}
	}
}
