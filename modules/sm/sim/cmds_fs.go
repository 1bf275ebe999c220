package sim

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/runbook-dev/runbook/internal/fileio"
)

// operands drops options (and a "--" separator) from args.
func operands(args []string) []string {
	out := []string{}
	dash := false
	for _, a := range args {
		switch {
		case dash:
			out = append(out, a)
		case a == "--":
			dash = true
		case strings.HasPrefix(a, "-") && a != "-":
			// option: ignored
		default:
			out = append(out, a)
		}
	}
	return out
}

// FileSHA256 is the hex sha256 of a local file.
func FileSHA256(path string) (string, error) {
	sum, _, err := fileio.SHA256(context.Background(), path)
	return sum, err
}

// sha256sum prints "HEX  PATH" for each file, as coreutils does.
func (s *session) sha256sum(args []string) int {
	code := 0
	for _, p := range operands(args) {
		sum, err := FileSHA256(s.n.path(p))
		if err != nil {
			fmt.Fprintf(s.stderr, "sha256sum: %s: No such file or directory\n", p)
			code = 1
			continue
		}
		fmt.Fprintf(s.stdout, "%s  %s\n", sum, p)
	}
	return code
}

// mkdir creates directories (always with parents, as mkdir -p).
func (s *session) mkdir(args []string) int {
	for _, p := range operands(args) {
		if err := os.MkdirAll(s.n.path(p), 0o755); err != nil {
			fmt.Fprintf(s.stderr, "mkdir: cannot create directory '%s'\n", p)
			return 1
		}
	}
	return 0
}

// rm removes files (as rm -f: a missing file is not an error).
func (s *session) rm(args []string) int {
	for _, p := range operands(args) {
		if err := os.Remove(s.n.path(p)); err != nil && !os.IsNotExist(err) {
			fmt.Fprintf(s.stderr, "rm: cannot remove '%s'\n", p)
			return 1
		}
	}
	return 0
}

// test supports -e, -f, -d and -s on one path.
func (s *session) test(args []string) int {
	if len(args) != 2 {
		return s.realShell(s.line)
	}
	fi, err := os.Stat(s.n.path(args[1]))
	ok := err == nil
	switch args[0] {
	case "-e":
	case "-f":
		ok = ok && fi.Mode().IsRegular()
	case "-d":
		ok = ok && fi.IsDir()
	case "-s":
		ok = ok && fi.Size() > 0
	default:
		return s.realShell(s.line)
	}
	if ok {
		return 0
	}
	return 1
}

// cat prints files of the node.
func (s *session) cat(args []string) int {
	code := 0
	for _, p := range operands(args) {
		f, err := os.Open(s.n.path(p))
		if err != nil {
			fmt.Fprintf(s.stderr, "cat: %s: No such file or directory\n", p)
			code = 1
			continue
		}
		io.Copy(s.stdout, f)
		f.Close()
	}
	return code
}

// ls lists a directory of the node, one name per line.
func (s *session) ls(args []string) int {
	ps := operands(args)
	if len(ps) == 0 {
		ps = []string{"/home/cust"}
	}
	code := 0
	for _, p := range ps {
		fi, err := os.Stat(s.n.path(p))
		if err != nil {
			fmt.Fprintf(s.stderr, "ls: cannot access '%s': No such file or directory\n", p)
			code = 2
			continue
		}
		if !fi.IsDir() {
			fmt.Fprintln(s.stdout, p)
			continue
		}
		ents, _ := os.ReadDir(s.n.path(p))
		names := []string{}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(s.stdout, n)
		}
	}
	return code
}
