package manifest

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// CheckText refuses content that is not text: a NUL byte or bytes that are
// not UTF-8 mean a binary file (or one in another encoding) was given as a
// manifest, and parsing it would only print its bytes back at the terminal.
// The diagnostic points at the first such byte; nil means src is text.
func CheckText(name string, src []byte) *hcl.Diagnostic {
	bad, what := -1, ""
	if i := bytes.IndexByte(src, 0); i >= 0 {
		bad, what = i, "a NUL byte"
	}
	if !utf8.Valid(src) {
		limit := len(src)
		if bad >= 0 {
			limit = bad
		}
		for i := 0; i < limit; {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				bad, what = i, "a byte that is not UTF-8"
				break
			}
			i += size
		}
	}
	if bad < 0 {
		return nil
	}
	pos := positionOf(src, bad)
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Manifest file is not text",
		Detail: "The file holds " + what + ", so it is not an HCL text file (a binary file, or text in an encoding other than UTF-8). " +
			"Check the path; save manifests as UTF-8 text.",
		Subject: &hcl.Range{Filename: name, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}},
	}
}

// positionOf is the line and column (in characters) of byte offset off.
func positionOf(src []byte, off int) hcl.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	col := 1 + utf8.RuneCount(src[start:off])
	return hcl.Pos{Line: line, Column: col, Byte: off}
}

// Sanitize makes s safe to print on a terminal: control characters (except
// tab and newline), bidirectional-text controls and bytes that are not UTF-8
// each become U+FFFD, so a manifest cannot move the cursor, change colours or
// reorder what the operator reads. One character stays one character, so
// carets under a sanitized line still line up.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r == '\t' || r == '\n' {
		return false
	}
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
