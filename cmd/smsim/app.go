package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
)

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// stdio bundles a command's streams and environment, so tests run commands in
// process.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

const usage = `usage: smsim <command> [flags]

commands:
  init   --state DIR --kind KIND --release R [--ssp N] [--platform P] [--users N]
         [--active-calls N] [--disk-free-mb N] [--clock-skew D] [--uds-backup S]
         [--node NAME] [--password-expired] [--blocked-ports P,P]
  serve  --state DIR [--time-scale F]     (OpenSSH ForceCommand: reads SSH_ORIGINAL_COMMAND)
  exec   --state DIR [--time-scale F] -- COMMAND LINE   (one command, no SSH)
  show   --state DIR                       (the node as JSON)
  fault  --state DIR --phase PHASE --kind fail|disconnect|hang|slow [--count N] | --clear
  media  --kind release|ssp --release R [--ssp N] [--product P] --out FILE
`

// run dispatches a command and returns the exit status: 0 success, 1 the
// command failed, 2 a usage error.
func run(args []string, in io.Reader, out, errw io.Writer, getenv func(string) string) int {
	s := stdio{in: in, out: out, err: errw, getenv: getenv}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(errw, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmds := map[string]func(stdio, []string) (int, error){
		"init": cmdInit, "serve": cmdServe, "exec": cmdExec, "show": cmdShow, "fault": cmdFault, "media": cmdMedia,
	}
	f, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(errw, "smsim: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	code, err := f(s, args[1:])
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(errw, "smsim %s: %s\n", args[0], ue.msg)
		return 2
	case err != nil:
		fmt.Fprintf(errw, "smsim %s: %v\n", args[0], err)
		return 1
	}
	return code
}

// flags returns a FlagSet that reports errors instead of exiting.
func flags(s stdio, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("smsim "+name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	return fs
}

// parse parses args, turning flag errors and stray arguments into usage errors.
func parse(fs *flag.FlagSet, args []string, required map[string]*string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	for _, name := range slices.Sorted(maps.Keys(required)) {
		if *required[name] == "" {
			return usageError{"--" + name + " is required"}
		}
	}
	return nil
}
