package modules

import "strings"

// Quote returns s as one POSIX shell word. Every value interpolated into a
// remote command line goes through it: a node name, a path or a release string
// that carries quotes, spaces or `;` stays one inert argument.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// unsafeRune reports runes that need quoting. Only a conservative set of
// characters passes bare.
func unsafeRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=@%+,", r)
}
