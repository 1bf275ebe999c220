package guard

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeIDs returns the ids of the README's guard table (the first column of
// the table under "Guards (").
func readmeIDs(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "\nGuards (")
	if start < 0 {
		t.Fatal("README.md has no guard table")
	}
	ids := map[string]bool{}
	code := regexp.MustCompile("`([a-z_]+\\.[a-z_]+)`")
	inTable := false
	for _, line := range strings.Split(text[start+1:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(line, "|")
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			ids[m[1]] = true
		}
	}
	return ids
}

// The README's guard table and the registry name the same guards.
func TestReadmeTableMatchesRegistry(t *testing.T) {
	doc := readmeIDs(t)
	if len(doc) == 0 {
		t.Fatal("no ids read from the README's guard table")
	}
	for _, r := range Rules {
		if !doc[r.ID] {
			t.Errorf("%s is in the registry but not in the README's guard table", r.ID)
		}
	}
	for id := range doc {
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s is in the README's guard table but not in the registry", id)
		}
	}
}

// Every row is well formed: one row per id, static rules have a severity,
// runtime rules say when they are judged.
func TestRegistryRows(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.ID] {
			t.Errorf("%s has two rows", r.ID)
		}
		seen[r.ID] = true
		if !r.Static && !r.Runtime {
			t.Errorf("%s is neither static nor runtime", r.ID)
		}
		if r.Severity != Error && r.Severity != Warning {
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
		hooks := len(r.Before) + len(r.After)
		if r.Runtime && hooks == 0 && !r.AtStart && !r.Walker {
			t.Errorf("%s is runtime but judged nowhere", r.ID)
		}
		if !r.Runtime && (hooks > 0 || r.AtStart || r.Walker || r.NeedsFacts) {
			t.Errorf("%s is static only but has runtime hooks", r.ID)
		}
	}
}
