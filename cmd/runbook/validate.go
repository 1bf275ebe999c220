package main

import (
	"flag"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

type validateOpts struct{ manifestFlags }

func validateCommand() *command {
	return &command{
		name:    "validate",
		args:    "[PATH]",
		summary: "Check a manifest: syntax, schema, references and the static guards.",
		help: `PATH is a manifest file or a directory of *.hcl files (default: the current directory).
No connection is opened. Variables need no value: one without a value is unknown, and what
depends on it is checked for type only (the static guards need the values the plan uses).

Examples:
  runbook validate examples/core-cluster
  runbook validate -var target=10.2.0.1 upgrade.hcl`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &validateOpts{}
			o.register(fs)
			o.registerWarnings(fs)
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*validateOpts)
			l := loadWith(io, &o.manifestFlags, first(args), true)
			if d := planNeedsValues(l.cfg); d != nil && !l.diags.HasErrors() {
				l.diags = append(l.diags, d)
			} else {
				l.compile(plan.Options{})
			}
			printDiags(io, &o.manifestFlags, l)
			errs, warns := countDiags(l.diags)
			if errs > 0 {
				fmt.Fprintf(io.err, "Invalid: %d error(s), %d warning(s).\n", errs, warns)
				return errReported
			}
			fmt.Fprintf(io.out, "The manifest is valid (%d warning(s)).\n", warns)
			return nil
		},
	}
}

// planNeedsValues returns a warning when a value the plan is computed from
// (anything but connection settings) is unknown because a variable has no
// value: the static guards are then not run, and the warning says which
// variable to give. nil when the plan can be compiled.
func planNeedsValues(cfg *eval.Config) *hcl.Diagnostic {
	for _, u := range cfg.Unknown {
		if u.Block == "connection" {
			continue
		}
		name := u.Vars[0]
		return &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Static guards not checked: variable without a value",
			Detail: fmt.Sprintf("This value depends on var.%s, which has no value, so validate checked syntax, schema, references and types but not the plan. Give it (-var '%s=…', a -var-file or %s%s) to run the static guards too; plan and apply need it.",
				name, name, eval.EnvPrefix, name),
			Subject: u.Range.Ptr(),
		}
	}
	return nil
}

func first(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return ""
}

// redactorFor builds the redactor of a manifest's secrets; nil config gives
// an empty one.
func redactorFor(cfg *eval.Config) *record.Redactor {
	if cfg == nil {
		return record.NewRedactor()
	}
	return record.NewRedactor(cfg.Secrets...)
}
