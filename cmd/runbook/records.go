package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/runbook-dev/runbook/engine/record"
)

func recordsCommand() *command {
	return &command{
		name:    "records",
		args:    "[DIR]",
		summary: "List change records (change, start, duration, status, nodes).",
		help: `DIR is the records folder (default: ./records).

Examples:
  runbook records
  runbook records /srv/changes/records`,
		maxArgs: 1,
		run: func(io *stdio, _ any, args []string) error {
			dir := first(args)
			if dir == "" {
				dir = "records"
			}
			list, err := record.List(dir)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintf(io.out, "No change records under %s.\n", dir)
				return nil
			}
			return record.RenderList(io.out, list)
		},
	}
}

func showCommand() *command {
	return &command{
		name:    "show",
		args:    "RECORD",
		summary: "Render one change record for a terminal: steps, guards, failures, rollback.",
		help: `RECORD is a run folder (records/<change>/<time>-apply) or a change folder (its latest run).

Examples:
  runbook show records/CHG0031337/20261205T010203Z-apply
  runbook show records/CHG0031337`,
		maxArgs: 1,
		flags:   func(fs *flag.FlagSet) any { return nil },
		run: func(io *stdio, _ any, args []string) error {
			if len(args) != 1 {
				return usagef("show: name a record folder (see 'runbook records')")
			}
			dir, err := resolveRecord(args[0])
			if err != nil {
				return err
			}
			return record.Render(io.out, dir)
		},
	}
}

// resolveRecord accepts a run folder, or a change folder whose newest run is
// meant.
func resolveRecord(dir string) (string, error) {
	for _, f := range []string{"record.json", "plan.json", "journal.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return dir, nil
		}
	}
	list, err := record.List(filepath.Dir(dir))
	if err == nil {
		for _, s := range list {
			if filepath.Clean(filepath.Dir(s.Dir)) == filepath.Clean(dir) {
				return s.Dir, nil
			}
		}
	}
	return "", fmt.Errorf("%s is not a change record: expected record.json, plan.json or journal.jsonl in it (see 'runbook records')", dir)
}
