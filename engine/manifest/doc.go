// Package manifest turns runbook manifest files (HCL) into a static Manifest:
// the blocks, their labels and their attributes as raw hcl.Expression values,
// each with its source range. It checks structure only — which blocks and
// attributes exist, which are required, that names are unique and usable in
// step ids and file paths — and evaluates nothing: variables, locals,
// functions and enum values belong to engine/eval, which reads a Manifest.
// Keeping the two apart means a structural error is reported with its range
// before any value is computed, and the planner can point at the exact
// expression that produced a value.
//
// The package works on bytes (ParseConfig, Parse), so tests need no files;
// ReadPath is the only function that touches the file system. It also prints
// diagnostics the way Terraform users expect (WriteDiagnostics) and formats
// files for `runbook fmt` (Format, Diff).
package manifest
