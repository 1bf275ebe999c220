// Package eval turns a static manifest (engine/manifest) into values: input
// variables from defaults, RUNBOOK_VAR_* environment, -var-file and -var (as
// Terraform does), locals in dependency order, the go-cty standard functions,
// defaults and enum checks, and the result as a Config of plain Go values.
// Parsing — which blocks exist, their names and ranges — is engine/manifest's
// job; this package never reads HCL syntax itself, only evaluates the
// expressions the parser kept. Expressions that depend on a node or on its
// facts (user step arguments, guard conditions) stay unevaluated in Config and
// are evaluated later against NodeContext.
//
// Config-time problems are hcl.Diagnostics with a Subject range and a fix
// hint in Detail. Sensitive values are marked while evaluating, so a value
// derived from a sensitive variable (a local, a password) is collected in
// Config.Secrets for the redactor.
package eval
