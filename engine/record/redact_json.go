package record

import (
	"bytes"
	"encoding/json"
)

// JSON returns a JSON document with every string literal (keys included)
// redacted. Each literal is decoded, redacted as text and encoded again, so a
// secret holding quotes or backslashes is found in its escaped form and the
// replacement never breaks the document's structure. Invalid JSON is returned
// redacted as plain bytes.
func (r *Redactor) JSON(doc []byte) []byte {
	if r.Empty() {
		return bytes.Clone(doc)
	}
	if !json.Valid(doc) {
		return r.Bytes(doc)
	}
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); {
		if doc[i] != '"' {
			out = append(out, doc[i])
			i++
			continue
		}
		end := stringEnd(doc, i)
		lit := doc[i:end]
		var s string
		if json.Unmarshal(lit, &s) == nil {
			if red := r.String(s); red != s {
				enc, _ := json.Marshal(red)
				lit = enc
			}
		}
		out = append(out, lit...)
		i = end
	}
	return out
}

// stringEnd returns the index just past the string literal opening at doc[i].
func stringEnd(doc []byte, i int) int {
	for j := i + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(doc)
}
