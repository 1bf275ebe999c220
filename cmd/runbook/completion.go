package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

func completionCommand() *command {
	return &command{
		name:    "completion",
		args:    "bash|zsh|fish",
		summary: "Print a shell completion script.",
		help: `Examples:
  source <(runbook completion bash)
  runbook completion zsh > "${fpath[1]}/_runbook"
  runbook completion fish > ~/.config/fish/completions/runbook.fish`,
		maxArgs: 1,
		run: func(io *stdio, _ any, args []string) error {
			if len(args) != 1 {
				return usagef("completion: name a shell: bash, zsh or fish")
			}
			switch args[0] {
			case "bash":
				writeBash(io.out)
			case "zsh":
				writeZsh(io.out)
			case "fish":
				writeFish(io.out)
			default:
				return usagef("completion: unknown shell %q (bash, zsh or fish)", args[0])
			}
			return nil
		},
	}
}

// flagNames lists a command's flags as --name, sorted.
func flagNames(c *command) []string {
	if c.flags == nil {
		return nil
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, "--"+f.Name) })
	sort.Strings(out)
	return out
}

func writeBash(w io.Writer) {
	fmt.Fprintf(w, "# bash completion for runbook\n_runbook() {\n  local cur=${COMP_WORDS[COMP_CWORD]}\n")
	fmt.Fprintf(w, "  if [ \"$COMP_CWORD\" -eq 1 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(commandNames(), " "))
	fmt.Fprintf(w, "  case ${COMP_WORDS[1]} in\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\") $(compgen -f -- \"$cur\")) ;;\n", c.name, strings.Join(flagNames(c), " "))
	}
	fmt.Fprintf(w, "  esac\n}\ncomplete -o filenames -F _runbook runbook\n")
}

func writeZsh(w io.Writer) {
	fmt.Fprintf(w, "#compdef runbook\n_runbook() {\n  local -a cmds\n  cmds=(\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "    %q\n", c.name+":"+c.summary)
	}
	fmt.Fprintf(w, "  )\n  if (( CURRENT == 2 )); then _describe 'command' cmds; return; fi\n  case $words[2] in\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "    %s) _arguments '*:file:_files'", c.name)
		for _, f := range flagNames(c) {
			fmt.Fprintf(w, " '%s'", f)
		}
		fmt.Fprintf(w, " ;;\n")
	}
	fmt.Fprintf(w, "  esac\n}\ncompdef _runbook runbook\n")
}

func writeFish(w io.Writer) {
	fmt.Fprintf(w, "# fish completion for runbook\ncomplete -c runbook -f\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "complete -c runbook -n '__fish_use_subcommand' -a %s -d %q\n", c.name, c.summary)
		for _, f := range flagNames(c) {
			fmt.Fprintf(w, "complete -c runbook -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, strings.TrimPrefix(f, "--"))
		}
		fmt.Fprintf(w, "complete -c runbook -n '__fish_seen_subcommand_from %s' -F\n", c.name)
	}
}
