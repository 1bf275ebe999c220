package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"
)

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "runbook plans and executes rolling upgrades of Avaya Aura Session Manager fleets.\n\n")
	fmt.Fprintf(w, "Usage: runbook <command> [flags] [PATH]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'runbook help <command>' or 'runbook <command> --help' for a command's flags and examples.\n")
	fmt.Fprintf(w, "Exit codes: 0 ok, 1 error or refused, 2 changes pending (plan --detailed-exitcode), 3 apply halted, 4 interrupted.\n")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: runbook %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.help, "\n"))
	}
	if c.flags != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		var buf bytes.Buffer
		fs.SetOutput(&buf)
		fs.PrintDefaults()
		if buf.Len() > 0 {
			fmt.Fprintf(w, "\nFlags (-flag and --flag both work):\n%s", buf.String())
		}
	}
}
