package main

import (
	"context"
	"flag"
	"fmt"
	goio "io"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"

	"github.com/runbook-dev/runbook/engine/eval"
)

// stdio is the process's standard streams and environment, injected so tests
// run commands in-process.
type stdio struct {
	in     goio.Reader
	out    goio.Writer
	err    goio.Writer
	env    []string
	isTTY  bool // stdout is a terminal
	inTTY  bool // stdin is a terminal
	ctx    context.Context
	width  int
	colors bool
}

func newStdio() *stdio {
	s := &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, env: os.Environ(), ctx: context.Background(), width: 100}
	s.isTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.inTTY = term.IsTerminal(int(os.Stdin.Fd()))
	if s.isTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 20 {
			s.width = w
		}
		s.colors = os.Getenv("NO_COLOR") == ""
	}
	return s
}

// command is one subcommand: its flags, its help text and what it does.
type command struct {
	name    string
	args    string // argument synopsis
	summary string
	help    string // long help with examples
	flags   func(fs *flag.FlagSet) any
	run     func(io *stdio, opts any, args []string) error
	maxArgs int
}

// commands is the command table, in the order help lists them. It is built by
// a function, not registered from init, so there is no package-level state.
func commands() []*command {
	return []*command{
		validateCommand(), planCommand(), applyCommand(), graphCommand(), fmtCommand(),
		labCommand(), recordsCommand(), showCommand(), releasesCommand(), versionCommand(),
		completionCommand(),
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func run(args []string, io *stdio) error {
	if len(args) == 0 {
		printUsage(io.out)
		return usagef("no command given")
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				printCommandHelp(io.out, c)
				return nil
			}
			return usagef("unknown command %q", args[1])
		}
		printUsage(io.out)
		return nil
	case "-v", "--version", "-version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		hint := ""
		if s := eval.Nearest(name, commandNames()); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return usagef("unknown command %q%s", name, hint)
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(goio.Discard) // the error is reported once, by exitCode
	var opts any
	if c.flags != nil {
		opts = c.flags(fs)
	}
	fs.Usage = func() {} // errors say what is wrong; --help prints the help to stdout
	pos, err := parseInterleaved(fs, args[1:])
	if err == flag.ErrHelp {
		printCommandHelp(io.out, c)
		return nil
	}
	if err != nil {
		return usagef("%s: %v", c.name, err)
	}
	if c.maxArgs >= 0 && len(pos) > c.maxArgs {
		return usagef("%s: too many arguments: %s", c.name, strings.Join(pos, " "))
	}
	return c.run(io, opts, pos)
}

// parseInterleaved lets flags follow positional arguments
// (`runbook plan examples/core --json`), as operators type them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return names
}

// stringsFlag is a repeatable flag (-var, --cluster).
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }
