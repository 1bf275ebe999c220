package sim

import "strings"

// splitWords splits a command line into words the way a POSIX shell would for
// a simple command: single quotes, double quotes and backslashes are honoured.
// simple is false when the line uses anything the simulator leaves to a real
// shell (operators, redirections, expansions, globs, comments, assignments):
// such a line then goes to the real shell untouched, or is not run at all
// (see Env.RealShell).
func splitWords(line string) (words []string, simple bool) {
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			for i++; ; i++ {
				if i >= len(line) {
					return nil, false
				}
				d := line[i]
				if d == '"' {
					break
				}
				if d == '$' || d == '`' {
					return nil, false
				}
				if d == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
					d = line[i]
				}
				cur.WriteByte(d)
			}
		case c == '\\':
			if i+1 >= len(line) || line[i+1] == '\n' {
				return nil, false
			}
			i++
			cur.WriteByte(line[i])
			inWord = true
		case strings.IndexByte(";&|<>()$`\n*?[#~{}", c) >= 0:
			if c == '#' && inWord || c == '~' && inWord {
				cur.WriteByte(c)
				continue
			}
			return nil, false
		case c == '=' && len(words) == 0 && !strings.ContainsAny(cur.String(), "/-"):
			return nil, false
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, true
}
