package sm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/modules"
)

// Action is one command of the profile and how its output is read.
type Action struct {
	Name     string
	Command  string // text/template; values are quoted before substitution
	ReadOnly bool
	Parse    string // none | regex | regex_map | lines_kv | df
	Regex    *regexp.Regexp
	Key      string
	Lower    bool
	Map      map[string]string
	Stdin    string
	Timeout  time.Duration
	// Separate runs a fact action in its own session instead of in the
	// one fact script of a gather (a command that cannot share a script).
	Separate  bool
	DeclRange hcl.Range

	tmpl *template.Template
}

// Value is a parsed output: a single value (Text) or a table (Map).
type Value struct {
	Text string
	Map  map[string]string
}

// Render fills the command template. Every value passes through
// modules.Quote first, so no argument can become shell syntax.
func (a *Action) Render(args map[string]string) (string, error) {
	if a.tmpl == nil {
		if err := a.check(); err != nil {
			return "", err
		}
	}
	q := make(map[string]string, len(args))
	for k, v := range args {
		q[k] = modules.Quote(v)
	}
	var b strings.Builder
	if err := a.tmpl.Execute(&b, q); err != nil {
		return "", fmt.Errorf("profile action %s: %v", a.Name, err)
	}
	return b.String(), nil
}

// FallbackTimeout bounds an action whose profile names no timeout (the
// embedded profile names one for every action; a site's override of an
// action keeps it): a read stops after 10 minutes, a change after 4 hours.
func FallbackTimeout(readOnly bool) time.Duration {
	if readOnly {
		return 10 * time.Minute
	}
	return 4 * time.Hour
}

// Cmd renders the action into a modules.Command.
func (a *Action) Cmd(args map[string]string) (modules.Command, error) {
	line, err := a.Render(args)
	if err != nil {
		return modules.Command{}, err
	}
	c := modules.Command{Line: line, ReadOnly: a.ReadOnly, Timeout: a.Timeout}
	if c.Timeout == 0 {
		c.Timeout = FallbackTimeout(a.ReadOnly)
	}
	if a.Stdin != "" {
		c.Stdin = strings.NewReader(a.Stdin)
	}
	return c, nil
}

// ParseError says an output did not have the shape the profile expects.
type ParseError struct {
	Action string
	Detail string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("output of %s: %s", e.Action, e.Detail)
}

// ParseOutput reads a command's stdout as the profile says.
func (a *Action) ParseOutput(out []byte) (Value, error) {
	s := string(out)
	var v Value
	switch a.Parse {
	case "none":
		v.Text = strings.TrimSpace(s)
	case "regex":
		m := a.Regex.FindStringSubmatch(s)
		if m == nil {
			return v, &ParseError{a.Name, fmt.Sprintf("no match for %s", a.Regex)}
		}
		v.Text = m[1]
	case "regex_map":
		v.Map = map[string]string{}
		for _, m := range a.Regex.FindAllStringSubmatch(s, -1) {
			v.Map[m[1]] = m[2]
		}
		if len(v.Map) == 0 {
			return v, &ParseError{a.Name, fmt.Sprintf("no line matches %s", a.Regex)}
		}
	case "lines_kv":
		v.Map = linesKV(s)
		t, ok := v.Map[a.Key]
		if !ok {
			return v, &ParseError{a.Name, fmt.Sprintf("no %q line", a.Key)}
		}
		v.Text = t
	case "df":
		m, err := parseDF(s)
		if err != nil {
			return v, &ParseError{a.Name, err.Error()}
		}
		v.Map = m
	}
	v.Text = a.translate(v.Text)
	for k, x := range v.Map {
		v.Map[k] = a.translate(x)
	}
	return v, nil
}

func (a *Action) translate(s string) string {
	if t, ok := a.Map[s]; ok {
		s = t
	}
	if a.Lower {
		s = strings.ToLower(s)
	}
	return s
}

// linesKV reads "key=value" and "key: value" lines.
func linesKV(s string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.IndexAny(l, "=:")
		if i <= 0 {
			continue
		}
		out[strings.TrimSpace(l[:i])] = strings.TrimSpace(l[i+1:])
	}
	return out
}

// parseDF reads POSIX df output (df -P, any block size): mount → available.
func parseDF(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, l := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(l)
		if i == 0 || len(f) < 6 {
			continue
		}
		if _, err := strconv.ParseInt(f[3], 10, 64); err != nil {
			return nil, fmt.Errorf("line %d: available %q is not a number", i+1, f[3])
		}
		out[f[len(f)-1]] = f[3]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no file system lines")
	}
	return out, nil
}
