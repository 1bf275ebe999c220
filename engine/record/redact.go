package record

import (
	"bytes"
	"sort"

	"github.com/runbook-dev/runbook/modules"
)

// Placeholder replaces every secret the Redactor finds.
const Placeholder = "(sensitive)"

// MinSecretLen is the length under which a secret is redacted only where it
// stands as a whole word. Redacting a one-, two- or three-byte secret inside
// every word would turn every record into noise (a password "42" would eat
// every exit code and port number) without protecting much: such a secret is
// guessed faster than it is read. Longer secrets are redacted wherever they
// appear, inside words too. Empty secrets are ignored.
const MinSecretLen = 4

// Redactor replaces known secret strings with Placeholder. It is immutable
// after NewRedactor and safe for concurrent use. A nil *Redactor redacts
// nothing, so code paths without secrets need no special case.
type Redactor struct {
	secrets [][]byte // longest first, so the longest match at a position wins
	raw     []string // as given, for With
	first   [256]bool
	maxLen  int
}

// NewRedactor builds a Redactor from sensitive variable values, passwords and
// key passphrases. Besides each secret as given, it also matches the form
// modules.Quote gives it when that form differs (a secret holding a single
// quote is rewritten by quoting, and the rewritten form would otherwise leak
// through a printed command line).
func NewRedactor(secrets ...string) *Redactor {
	seen := map[string]bool{}
	r := &Redactor{raw: secrets}
	add := func(s string) {
		if s == "" || seen[s] {
			return
		}
		seen[s] = true
		r.secrets = append(r.secrets, []byte(s))
		r.first[s[0]] = true
		if len(s) > r.maxLen {
			r.maxLen = len(s)
		}
	}
	for _, s := range secrets {
		add(s)
		if q := modules.Quote(s); q != s && q != "'"+s+"'" {
			add(q)
		}
	}
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// With returns a new Redactor that also knows more secrets (a password
// typed at a prompt, a passphrase read later). r itself is unchanged.
func (r *Redactor) With(secrets ...string) *Redactor {
	if r == nil {
		return NewRedactor(secrets...)
	}
	return NewRedactor(append(append([]string(nil), r.raw...), secrets...)...)
}

// Empty reports whether the Redactor knows no secret.
func (r *Redactor) Empty() bool { return r == nil || len(r.secrets) == 0 }

// String returns s with every secret replaced.
func (r *Redactor) String(s string) string {
	if r.Empty() {
		return s
	}
	out, _, _ := r.scan(nil, []byte(s), true, false)
	return string(out)
}

// Bytes returns a redacted copy of b.
func (r *Redactor) Bytes(b []byte) []byte {
	if r.Empty() {
		return bytes.Clone(b)
	}
	out, _, _ := r.scan(nil, b, true, false)
	return out
}

// Strings redacts every element of ss in place and returns ss.
func (r *Redactor) Strings(ss []string) []string {
	for i := range ss {
		ss[i] = r.String(ss[i])
	}
	return ss
}

// scan appends to dst the redacted form of buf's first bytes. Unless final, it
// stops before the last maxLen bytes, which a later call may complete into a
// secret (or whose word boundary is not known yet); consumed tells how much of
// buf was handled. prevWord says whether the byte before buf[0] belongs to a
// word, for the whole-word rule of short secrets; the returned bool says the
// same of the last consumed byte.
func (r *Redactor) scan(dst, buf []byte, final, prevWord bool) ([]byte, int, bool) {
	limit := len(buf)
	if !final {
		limit = len(buf) - r.maxLen
	}
	i := 0
	for i < limit {
		if n := r.matchAt(buf, i, prevWord); n > 0 {
			dst = append(dst, Placeholder...)
			prevWord = isWord(buf[i+n-1])
			i += n
			continue
		}
		dst = append(dst, buf[i])
		prevWord = isWord(buf[i])
		i++
	}
	return dst, i, prevWord
}

// matchAt returns the length of the longest secret found at buf[i:], 0 when none.
func (r *Redactor) matchAt(buf []byte, i int, prevWord bool) int {
	if !r.first[buf[i]] {
		return 0
	}
	for _, s := range r.secrets {
		if !bytes.HasPrefix(buf[i:], s) {
			continue
		}
		if len(s) >= MinSecretLen {
			return len(s)
		}
		end := i + len(s)
		// Unless final, scan keeps maxLen bytes back, so buf[end] exists here.
		nextWord := end < len(buf) && isWord(buf[end])
		if !prevWord && !nextWord {
			return len(s)
		}
	}
	return 0
}

// isWord reports bytes that belong to a word: ASCII letters, digits, '_' and
// any byte of a multi-byte UTF-8 sequence.
func isWord(c byte) bool {
	return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
