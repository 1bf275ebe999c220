package eval

import (
	"fmt"
	"path"
)

// NodeNames lists every node of the manifest (AllNodes' order).
func (c *Config) NodeNames() []string {
	var out []string
	for _, n := range c.AllNodes() {
		out = append(out, n.Name)
	}
	return out
}

// UnknownLimitError is a --limit pattern that is not a valid glob or matches
// no node of the manifest: a selection that silently matched nothing would
// run less than the operator meant.
type UnknownLimitError struct {
	Pattern string
	Known   []string
	Bad     bool // not a valid glob
}

func (e *UnknownLimitError) Error() string {
	if e.Bad {
		return fmt.Sprintf("--limit %q is not a valid node name or glob (use *, ? and [a-z] as in a shell).", e.Pattern)
	}
	hint, known := selectionHint(e.Pattern, e.Known)
	return fmt.Sprintf("--limit %q matches no node of the manifest.%s The nodes are: %s.", e.Pattern, hint, known)
}

// CheckLimit returns an *UnknownLimitError for the first pattern of a
// --limit selection that is no valid glob or matches no node.
func (c *Config) CheckLimit(patterns []string) error {
	known := c.NodeNames()
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return &UnknownLimitError{Pattern: p, Bad: true}
		}
		found := false
		for _, n := range known {
			if LimitMatches([]string{p}, n) {
				found = true
				break
			}
		}
		if !found {
			return &UnknownLimitError{Pattern: p, Known: known}
		}
	}
	return nil
}

// LimitMatches reports whether a node is inside a --limit selection: its
// name equals or matches (shell glob) one of the patterns; an empty
// selection holds every node.
func LimitMatches(patterns []string, node string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, err := path.Match(p, node); p == node || (err == nil && ok) {
			return true
		}
	}
	return false
}
