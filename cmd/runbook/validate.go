package main

import (
	"flag"
	"fmt"

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
No connection is opened.

Examples:
  runbook validate examples/core-cluster
  runbook validate -var ssh_password=... upgrade.hcl`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &validateOpts{}
			o.register(fs)
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*validateOpts)
			l, _ := compile(io, &o.manifestFlags, first(args), plan.Options{})
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
