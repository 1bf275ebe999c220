package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/mitchellh/go-wordwrap"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiUnder  = "\x1b[4m"
)

// WriteDiagnostics prints diags the way Terraform does, in the layout of
// hcl.NewDiagnosticTextWriter, plus the column and a caret line under the
// offending range (operators asked for file:line:col):
//
//	Error: Unsupported argument
//
//	  on upgrade.hcl:8:5:
//	     8:     relase = "8.1.3.8"
//	            ^^^^^^
//
//	An argument named "relase" is not expected here. Did you mean "release"?
//
// files gives the source bytes for snippets; a diagnostic whose file is not in
// files prints without one. width wraps the detail (0: no wrapping); color
// adds ANSI colors and underlines the range in the snippet.
func WriteDiagnostics(w io.Writer, files map[string][]byte, diags hcl.Diagnostics, width uint, color bool) error {
	bw := bufio.NewWriter(w)
	for _, d := range diags {
		writeDiagnostic(bw, files, d, width, color)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, files map[string][]byte, d *hcl.Diagnostic, width uint, color bool) {
	sev, on := "Error", ansiRed
	if d.Severity == hcl.DiagWarning {
		sev, on = "Warning", ansiYellow
	}
	// What a manifest wrote (names, values, whole source lines) reaches the
	// terminal only sanitized: a manifest cannot send escape sequences.
	summary := Sanitize(d.Summary)
	if color {
		fmt.Fprintf(w, "%s%s:%s %s%s%s\n\n", on, sev, ansiReset, ansiBold, summary, ansiReset)
	} else {
		fmt.Fprintf(w, "%s: %s\n\n", sev, summary)
	}
	if r := d.Subject; r != nil {
		fmt.Fprintf(w, "  on %s:%d:%d:\n", Sanitize(r.Filename), r.Start.Line, r.Start.Column)
		if line, ok := sourceLine(files[r.Filename], r.Start.Line); ok {
			line = Sanitize(line)
			end := len(line)
			if r.End.Line == r.Start.Line && r.End.Column > r.Start.Column {
				end = min(byteOffset(line, r.End.Column), len(line))
			}
			start := min(byteOffset(line, r.Start.Column), end)
			prefix := fmt.Sprintf("  %4d: ", r.Start.Line)
			if color {
				fmt.Fprintf(w, "%s%s%s%s%s%s\n", prefix, line[:start], ansiUnder, line[start:end], ansiReset, line[end:])
			} else {
				fmt.Fprintf(w, "%s%s\n", prefix, line)
			}
			n := max(utf8.RuneCountInString(line[start:end]), 1)
			fmt.Fprintf(w, "%s%s%s\n", strings.Repeat(" ", len(prefix)), pad(line[:start]), strings.Repeat("^", n))
		}
		w.WriteString("\n")
	}
	if d.Detail != "" {
		detail := Sanitize(d.Detail)
		if width > 1 {
			detail = wordwrap.WrapString(detail, width-1)
		}
		fmt.Fprintf(w, "%s\n\n", detail)
	}
}

// sourceLine returns line n (1-based) of src without its newline.
func sourceLine(src []byte, n int) (string, bool) {
	if src == nil || n < 1 {
		return "", false
	}
	for i := 1; ; i++ {
		nl := bytes.IndexByte(src, '\n')
		if i == n {
			if nl < 0 {
				return strings.TrimRight(string(src), "\r"), true
			}
			return strings.TrimRight(string(src[:nl]), "\r"), true
		}
		if nl < 0 {
			return "", false
		}
		src = src[nl+1:]
	}
}

// byteOffset turns a 1-based column (in characters) into a byte offset.
func byteOffset(line string, col int) int {
	off := 0
	for c := 1; c < col && off < len(line); c++ {
		_, size := utf8.DecodeRuneInString(line[off:])
		off += size
	}
	return off
}

// pad keeps tabs and blanks out every other character, so the caret lines up
// under the range whatever the tab width.
func pad(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
