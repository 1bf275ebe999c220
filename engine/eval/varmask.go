package eval

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Diagnostics print a snippet of the line they point at, and a -var-file
// line may hold a password. The evaluator therefore keeps, for snippets
// (Config.Files), a copy of each var file in which the value of every
// variable declared sensitive is masked: each of its characters becomes '*',
// so lines and columns, and the carets under them, stay where they were.
// A file that does not parse is masked by a tolerant line scan too, since
// the attribute that broke it is not in the parser's partial body.

// maskRune replaces each character of a sensitive value in snippets.
const maskRune = '*'

// sensitiveVars names the variables declared sensitive. A sensitive
// attribute that cannot be read as a constant bool counts as sensitive: its
// value is masked rather than risked.
func (e *evaluator) sensitiveVars() map[string]bool {
	out := map[string]bool{}
	for _, v := range e.m.Variables {
		a := v.Attr("sensitive")
		if a == nil {
			continue
		}
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !val.IsWhollyKnown() || val.IsNull() {
			out[v.Name] = true
			continue
		}
		if b, err := convert.Convert(val, cty.Bool); err != nil || b.True() {
			out[v.Name] = true
		}
	}
	return out
}

// span is a byte range [start, end) of a source file.
type span struct{ start, end int }

// maskVarFile returns src with the values of the attributes named in names
// masked. f is the parse result (possibly partial); broken says the parse
// failed, and adds the line scan.
func maskVarFile(src []byte, f *hcl.File, broken, isJSON bool, names map[string]bool) []byte {
	if len(names) == 0 {
		return src
	}
	var spans []span
	add := func(r hcl.Range) {
		if r.Start.Byte >= 0 && r.End.Byte <= len(src) && r.Start.Byte < r.End.Byte {
			spans = append(spans, span{r.Start.Byte, r.End.Byte})
		}
	}
	if f != nil && f.Body != nil {
		switch body := f.Body.(type) {
		case *hclsyntax.Body:
			for name, a := range body.Attributes {
				if names[name] {
					add(a.Expr.Range())
				}
			}
		default:
			if !broken {
				attrs, _ := f.Body.JustAttributes()
				for name, a := range attrs {
					if names[name] {
						add(a.Expr.Range())
					}
				}
			}
		}
	}
	if broken {
		spans = append(spans, scanValues(src, names, isJSON)...)
	}
	return applyMask(src, spans)
}

// applyMask replaces every character inside spans, except line ends, with
// maskRune.
func applyMask(src []byte, spans []span) []byte {
	if len(spans) == 0 {
		return src
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	b.Grow(len(src))
	pos := 0
	for _, s := range spans {
		if s.end <= pos {
			continue
		}
		if s.start > pos {
			b.Write(src[pos:s.start])
		} else {
			s.start = pos
		}
		for _, r := range string(src[s.start:s.end]) {
			if r == '\n' || r == '\r' {
				b.WriteRune(r)
			} else {
				b.WriteRune(maskRune)
			}
		}
		pos = s.end
	}
	b.Write(src[pos:])
	return []byte(b.String())
}

var (
	hclAttrLine = regexp.MustCompile(`^([ \t]*)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=`)
	jsonKey     = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"[ \t]*:`)
	heredocOpen = regexp.MustCompile(`^[ \t]*<<-?([A-Za-z_][A-Za-z0-9_-]*)`)
)

// scanValues finds, line by line, the values of the attributes (HCL) or
// keys (JSON) named in names in a file that may not parse: from the '=' or
// ':' to the end of the line, then the lines of a heredoc up to its marker,
// or of an open bracket until it closes or the next attribute of the same
// indentation. It errs towards masking too much.
func scanValues(src []byte, names map[string]bool, isJSON bool) []span {
	var out []span
	lines := splitLines(src)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		text := string(src[l.start:l.end])
		valStart, indent := -1, 0
		if isJSON {
			for _, m := range jsonKey.FindAllStringSubmatchIndex(text, -1) {
				if names[text[m[2]:m[3]]] {
					valStart = m[1]
					break
				}
			}
		} else if m := hclAttrLine.FindStringSubmatchIndex(text); m != nil && names[text[m[4]:m[5]]] {
			valStart, indent = m[1], m[3]-m[2]
		}
		if valStart < 0 {
			continue
		}
		for valStart < len(text) && (text[valStart] == ' ' || text[valStart] == '\t') {
			valStart++
		}
		out = append(out, span{l.start + valStart, l.end})
		rest := text[valStart:]
		if hd := heredocOpen.FindStringSubmatch(rest); hd != nil && !isJSON {
			j := i + 1
			for ; j < len(lines) && strings.TrimSpace(string(src[lines[j].start:lines[j].end])) != hd[1]; j++ {
				out = append(out, span{lines[j].start, lines[j].end})
			}
			i = j
			continue
		}
		depth := bracketDepth(rest, isJSON)
		j := i + 1
		for ; depth > 0 && j < len(lines); j++ {
			next := string(src[lines[j].start:lines[j].end])
			if m := hclAttrLine.FindStringSubmatchIndex(next); !isJSON && m != nil && m[3]-m[2] <= indent {
				break
			}
			out = append(out, span{lines[j].start, lines[j].end})
			depth += bracketDepth(next, isJSON)
		}
		i = j - 1
	}
	return out
}

// splitLines returns each line's byte range without its line end.
func splitLines(src []byte) []span {
	var out []span
	start := 0
	for i := 0; i <= len(src); i++ {
		if i == len(src) || src[i] == '\n' {
			end := i
			if end > start && src[end-1] == '\r' {
				end--
			}
			out = append(out, span{start, end})
			start = i + 1
		}
	}
	return out
}

// bracketDepth is the count of opening minus closing brackets on a line,
// outside double-quoted strings and (HCL) comments.
func bracketDepth(line string, isJSON bool) int {
	depth, inStr := 0, false
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case inStr && r == '\\':
			i += size
			if i < len(line) {
				_, s := utf8.DecodeRuneInString(line[i:])
				i += s
			}
			continue
		case r == '"':
			inStr = !inStr
		case inStr:
		case !isJSON && (r == '#' || strings.HasPrefix(line[i:], "//")):
			return depth
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			depth--
		}
		i += size
	}
	return depth
}
