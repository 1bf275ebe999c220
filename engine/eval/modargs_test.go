package eval_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/registry"
)

// A step's arguments are checked against its module's Spec: a typo is
// reported with the nearest argument of that module, not of another one.
func TestStepArgSuggestsFromModuleSpec(t *testing.T) {
	diags := loadErr(t, minimal+`
step "s" {
  module = "copy"
  sorce  = "a.txt"
  destination = "/tmp/a.txt"
}
`, eval.LoadOptions{})
	if len(diags) != 2 {
		t.Fatalf("want the unknown argument and the missing source, got %v", diags)
	}
	d := diags[0]
	if d.Summary != "Unsupported argument for module" || d.Subject == nil || d.Subject.Start.Line != 12 ||
		!strings.Contains(d.Detail, `Did you mean "source"?`) || !strings.Contains(d.Detail, `It takes "source", "destination".`) {
		t.Fatalf("got %s at %v: %s", d.Summary, d.Subject, d.Detail)
	}
	if diags[1].Summary != "Missing required argument" || !strings.Contains(diags[1].Detail, `needs "source"`) {
		t.Fatalf("got %v", diags[1])
	}
}

// Every registered module is checked from its Spec alone: a step without
// its required arguments is refused naming each of them, a step with a value
// of the wrong type is refused at that value, and a step with every
// argument of the right type is valid.
func TestEveryModuleSpecDrivesValidation(t *testing.T) {
	good := map[modules.ArgType]string{modules.String: `"x"`, modules.Number: `3`, modules.Bool: `true`, modules.Duration: `"5s"`}
	bad := map[modules.ArgType]string{modules.String: `["x"]`, modules.Number: `"three"`, modules.Bool: `"maybe"`, modules.Duration: `"soon"`}
	for _, e := range registry.Entries() {
		spec := e.Spec
		t.Run(spec.Name, func(t *testing.T) {
			var all strings.Builder
			required := 0
			for _, a := range spec.Args {
				if a.Doc == "" {
					t.Errorf("argument %s has no doc line", a.Name)
				}
				fmt.Fprintf(&all, "  %s = %s\n", a.Name, good[a.Type])
				if a.Required {
					required++
				}
			}
			load(t, minimal+fmt.Sprintf("step \"s\" {\n  module = %q\n%s}\n", spec.Name, all.String()), eval.LoadOptions{})
			if required > 0 {
				diags := loadErr(t, minimal+fmt.Sprintf("step \"s\" {\n  module = %q\n}\n", spec.Name), eval.LoadOptions{})
				if len(diags) != required {
					t.Fatalf("want %d missing arguments, got %v", required, diags)
				}
				for _, d := range diags {
					if d.Summary != "Missing required argument" {
						t.Fatalf("got %v", d)
					}
				}
			}
			for _, a := range spec.Args {
				var body strings.Builder
				for _, o := range spec.Args {
					v := good[o.Type]
					if o.Name == a.Name {
						v = bad[o.Type]
					}
					fmt.Fprintf(&body, "  %s = %s\n", o.Name, v)
				}
				diags := loadErr(t, minimal+fmt.Sprintf("step \"s\" {\n  module = %q\n%s}\n", spec.Name, body.String()), eval.LoadOptions{})
				if len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != 11+indexOf(spec, a.Name) {
					t.Fatalf("%s = %s: want one error at its line, got %v", a.Name, bad[a.Type], diags)
				}
			}
		})
	}
}

func indexOf(s modules.Spec, name string) int {
	for i, a := range s.Args {
		if a.Name == name {
			return i
		}
	}
	return -1
}
