package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// statusPrintf is the one use of $? the simulator models: a printf of a
// constant single-quoted format with the last status as its only argument,
// the line a fact script prints after each command.
var statusPrintf = regexp.MustCompile(`^printf '([^']*)' "\$\?"$`)

// sequence runs a line of commands separated by newlines or semicolons
// when every one of them is a command the node models or a status printf,
// as a shell would run them one after the other, and returns the status of
// the last. ok is false for any other line (it is then left to realShell
// whole, so a user's line such as `cd /tmp; ls` keeps its meaning).
func (s *session) sequence(line string) (code int, ok bool) {
	parts, ok := splitSequence(line)
	if !ok || len(parts) < 2 {
		return 0, false
	}
	handlers := s.handlers()
	for _, p := range parts {
		if statusPrintf.MatchString(p) {
			continue
		}
		argv, simple := splitWords(p)
		if !simple || len(argv) == 0 || handlers[argv[0]] == nil {
			return 0, false
		}
	}
	last := 0
	for _, p := range parts {
		if m := statusPrintf.FindStringSubmatch(p); m != nil {
			fmt.Fprint(s.stdout, printfStatus(m[1], last))
			last = 0
			continue
		}
		s.login, s.line = false, p
		last = s.run(p)
		if last == ExitDropped || s.ctx.Err() != nil {
			return last, true
		}
	}
	return last, true
}

// printfStatus expands a printf format whose escapes are \n and \\ and
// whose only conversion is %s (the status) or %%.
func printfStatus(format string, status int) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '\\' && i+1 < len(format) && format[i+1] == 'n':
			b.WriteByte('\n')
			i++
		case c == '\\' && i+1 < len(format) && format[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case c == '%' && i+1 < len(format) && format[i+1] == 's':
			b.WriteString(strconv.Itoa(status))
			i++
		case c == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteByte('%')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitSequence cuts a line at the newlines and semicolons outside quotes.
// Empty commands are dropped. ok is false on an unterminated quote.
func splitSequence(line string) (parts []string, ok bool) {
	start := 0
	add := func(end int) {
		if p := strings.TrimSpace(line[start:end]); p != "" {
			parts = append(parts, p)
		}
		start = end + 1
	}
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			i += j + 1
		case '"':
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
			}
			if i >= len(line) {
				return nil, false
			}
		case '\n', ';':
			add(i)
		}
	}
	add(len(line))
	return parts, true
}
