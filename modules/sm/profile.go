package sm

import (
	"errors"
	"fmt"
	"github.com/agext/levenshtein"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/schema"
	"github.com/zclconf/go-cty/cty"
)

// Profile is the command profile: per node kind, the command of each action
// and how its output is parsed. It is data (schema/profile.hcl), so a site
// whose node CLI differs changes it without a code change.
type Profile struct {
	Kinds map[string]*KindProfile
	// err is set on a profile that failed to load; every lookup returns it.
	err error
}

// KindProfile is the section of one node kind.
type KindProfile struct {
	Name         string
	Extends      string
	ExtendsRange hcl.Range
	Actions      map[string]*Action
}

// Kinds a profile may describe: every node kind (internal/rollout's table).
var Kinds = rollout.KindNames()

// Actions a profile may define. A name outside this list is an error with a
// suggestion, so a typo cannot silently leave a module without a command.
var Actions = []string{
	"release", "ssp", "service_state", "active_calls", "services", "disk", "clock",
	"uds_backup", "users", "data_digest", "precheck", "verify",
	"checksum", "media_info", "mkdir", "remove", "port_check",
	"backup", "ssp_install", "upgrade", "rollback_install", "restore", "migrate", "deny_new_service", "accept_new_service",
	"replication_off", "replication_on",
}

// ErrNoAction means the profile has no command for an action on a kind.
var ErrNoAction = errors.New("no command in the profile")

// ActionError names the kind and action a profile lookup failed for.
type ActionError struct {
	Kind, Action string
	Err          error
}

func (e *ActionError) Error() string {
	return fmt.Sprintf("profile: %s.%s: %v", e.Kind, e.Action, e.Err)
}
func (e *ActionError) Unwrap() error { return e.Err }

var (
	defaultOnce sync.Once
	defaultProf *Profile
)

// DefaultProfile is the embedded profile (schema/profile.hcl). Should the
// embedded data ever fail to load, every lookup on it returns that error.
func DefaultProfile() *Profile {
	defaultOnce.Do(func() {
		p, err := LoadProfile(schema.Profile, "schema/profile.hcl")
		if err != nil {
			p = &Profile{Kinds: map[string]*KindProfile{}, err: err}
		}
		defaultProf = p
	})
	return defaultProf
}

// Err reports why the profile is unusable, if it is.
func (p *Profile) Err() error { return p.err }

// Action returns the action of a kind, following extends. An action whose
// command is empty is absent (ErrNoAction).
func (p *Profile) Action(kind, action string) (*Action, error) {
	if p == nil {
		return nil, &ActionError{kind, action, ErrNoAction}
	}
	if p.err != nil {
		return nil, &ActionError{kind, action, p.err}
	}
	seen := map[string]bool{}
	for k := kind; k != "" && !seen[k]; {
		seen[k] = true
		kp, ok := p.Kinds[k]
		if !ok {
			break
		}
		if a, ok := kp.Actions[action]; ok {
			if a.Command == "" {
				break
			}
			return a, nil
		}
		k = kp.Extends
	}
	return nil, &ActionError{kind, action, ErrNoAction}
}

// Has reports whether kind has a command for action.
func (p *Profile) Has(kind, action string) bool {
	_, err := p.Action(kind, action)
	return err == nil
}

// Merge returns p with o laid over it: an action of o replaces the action of
// the same kind and name whole (but for a missing timeout, kept from p); a
// kind's extends is replaced when o sets it; everything else of p stays.
// Neither input is modified.
func (p *Profile) Merge(o *Profile) *Profile {
	if o == nil {
		return p
	}
	out := &Profile{Kinds: map[string]*KindProfile{}, err: errors.Join(p.err, o.err)}
	for _, src := range []*Profile{p, o} {
		for name, k := range src.Kinds {
			dst, ok := out.Kinds[name]
			if !ok {
				dst = &KindProfile{Name: name, Actions: map[string]*Action{}}
				out.Kinds[name] = dst
			}
			if k.Extends != "" {
				dst.Extends = k.Extends
			}
			for an, a := range k.Actions {
				if prev := dst.Actions[an]; prev != nil && a.Timeout == 0 && prev.Timeout > 0 {
					// An override that names no timeout keeps the bound of
					// the action it replaces: no action is ever unbounded.
					c := *a
					c.Timeout = prev.Timeout
					a = &c
				}
				dst.Actions[an] = a
			}
		}
	}
	return out
}

// LoadProfile parses a profile file. The error, when not nil, is the
// hcl.Diagnostics (file:line:col) describing every problem found.
func LoadProfile(src []byte, filename string) (*Profile, error) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	p, diags := DecodeProfile(f.Body)
	if diags.HasErrors() {
		return nil, diags
	}
	return p, nil
}

var (
	profileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "kind", LabelNames: []string{"name"}}}}
	kindSchema    = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "extends"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "action", LabelNames: []string{"name"}}},
	}
	actionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "command", Required: true}, {Name: "read_only"}, {Name: "parse"}, {Name: "regex"},
		{Name: "key"}, {Name: "lower"}, {Name: "map"}, {Name: "stdin"}, {Name: "timeout"}, {Name: "separate"},
	}}
)

// DecodeProfile decodes a profile body: the file above, or a manifest's
// profile block that overrides the default through Merge.
func DecodeProfile(body hcl.Body) (*Profile, hcl.Diagnostics) {
	p := &Profile{Kinds: map[string]*KindProfile{}}
	content, diags := body.Content(profileSchema)
	for _, b := range content.Blocks {
		name := b.Labels[0]
		_, dup := p.Kinds[name]
		if d := checkLabel(b, "kind", Kinds, dup, ""); d != nil {
			diags = append(diags, d)
			continue
		}
		kp, d := decodeKind(name, b.Body)
		diags = append(diags, d...)
		p.Kinds[name] = kp
	}
	for _, kp := range p.Kinds {
		if kp.Extends != "" && p.Kinds[kp.Extends] == nil && !slices.Contains(Kinds, kp.Extends) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown kind in extends",
				Detail: fmt.Sprintf("kind %q extends %q, which is not a kind.", kp.Name, kp.Extends), Subject: kp.ExtendsRange.Ptr()})
		}
	}
	return p, diags
}

func decodeKind(name string, body hcl.Body) (*KindProfile, hcl.Diagnostics) {
	kp := &KindProfile{Name: name, Actions: map[string]*Action{}}
	content, diags := body.Content(kindSchema)
	if a, ok := content.Attributes["extends"]; ok {
		var d hcl.Diagnostics
		kp.Extends, d = str(a)
		kp.ExtendsRange = a.Expr.Range()
		diags = append(diags, d...)
		if kp.Extends == name {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Kind extends itself", Subject: a.Range.Ptr()})
			kp.Extends = ""
		}
	}
	for _, b := range content.Blocks {
		an := b.Labels[0]
		_, dup := kp.Actions[an]
		if d := checkLabel(b, "action", Actions, dup, fmt.Sprintf(" in kind %q", name)); d != nil {
			diags = append(diags, d)
			continue
		}
		a, d := decodeAction(an, b.Body)
		diags = append(diags, d...)
		if a != nil {
			kp.Actions[an] = a
		}
	}
	return kp, diags
}

func decodeAction(name string, body hcl.Body) (*Action, hcl.Diagnostics) {
	content, diags := body.Content(actionSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	a := &Action{Name: name, Parse: "none", DeclRange: body.MissingItemRange()}
	at := content.Attributes
	var d hcl.Diagnostics
	a.Command, d = str(at["command"])
	diags = append(diags, d...)
	if x, ok := at["read_only"]; ok {
		a.ReadOnly, d = boolean(x)
		diags = append(diags, d...)
	}
	if x, ok := at["separate"]; ok {
		a.Separate, d = boolean(x)
		diags = append(diags, d...)
	}
	if x, ok := at["lower"]; ok {
		a.Lower, d = boolean(x)
		diags = append(diags, d...)
	}
	for attr, dst := range map[string]*string{"parse": &a.Parse, "key": &a.Key, "stdin": &a.Stdin} {
		if x, ok := at[attr]; ok {
			*dst, d = str(x)
			diags = append(diags, d...)
		}
	}
	if x, ok := at["timeout"]; ok {
		s, d := str(x)
		diags = append(diags, d...)
		if s != "" {
			t, err := time.ParseDuration(s)
			if err != nil || t < 0 {
				diags = append(diags, bad(x, "Invalid timeout", "timeout must be a Go duration such as \"30m\"."))
			}
			a.Timeout = t
		}
	}
	if x, ok := at["map"]; ok {
		a.Map, d = strMap(x)
		diags = append(diags, d...)
	}
	if x, ok := at["regex"]; ok {
		s, d := str(x)
		diags = append(diags, d...)
		re, err := regexp.Compile(s)
		if err != nil {
			diags = append(diags, bad(x, "Invalid regex", err.Error()))
		}
		a.Regex = re
	}
	if !diags.HasErrors() {
		if err := a.check(); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid action " + name,
				Detail: err.Error(), Subject: at["command"].Range.Ptr()})
		}
	}
	return a, diags
}

// check validates the parse settings and parses the command template.
func (a *Action) check() error {
	groups := map[string]int{"regex": 1, "regex_map": 2}
	switch a.Parse {
	case "none", "df":
	case "lines_kv":
		if a.Key == "" {
			return fmt.Errorf("parse = \"lines_kv\" needs key")
		}
	case "regex", "regex_map":
		if a.Regex == nil {
			return fmt.Errorf("parse = %q needs regex", a.Parse)
		}
		if a.Regex.NumSubexp() < groups[a.Parse] {
			return fmt.Errorf("regex needs %d capture group(s) for parse = %q", groups[a.Parse], a.Parse)
		}
	default:
		return fmt.Errorf("unknown parse %q (none, regex, regex_map, lines_kv, df)", a.Parse)
	}
	t, err := template.New(a.Name).Option("missingkey=error").Parse(a.Command)
	if err != nil {
		return fmt.Errorf("command template: %v", err)
	}
	a.tmpl = t
	return nil
}

func str(a *hcl.Attribute) (string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return "", diags
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", hcl.Diagnostics{bad(a, "Incorrect attribute value type", fmt.Sprintf("%s must be a string.", a.Name))}
	}
	return v.AsString(), nil
}

func boolean(a *hcl.Attribute) (bool, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return false, diags
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return false, hcl.Diagnostics{bad(a, "Incorrect attribute value type", fmt.Sprintf("%s must be true or false.", a.Name))}
	}
	return v.True(), nil
}

func strMap(a *hcl.Attribute) (map[string]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	if v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil, hcl.Diagnostics{bad(a, "Incorrect attribute value type", "map must be an object of strings.")}
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			return nil, hcl.Diagnostics{bad(a, "Incorrect attribute value type", "map values must be strings.")}
		}
		out[k.AsString()] = e.AsString()
	}
	return out, nil
}

func bad(a *hcl.Attribute, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.Expr.Range().Ptr()}
}

// checkLabel is the check of a kind or action block's label: a name the
// profile language knows (known), described once (dup: it was seen before,
// where says in what).
func checkLabel(b *hcl.Block, what string, known []string, dup bool, where string) *hcl.Diagnostic {
	name := b.Labels[0]
	if !slices.Contains(known, name) {
		return unknown(what, name, known, b.LabelRanges[0])
	}
	if dup {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate " + what,
			Detail: fmt.Sprintf("%s %q is described twice%s.", what, name, where), Subject: b.LabelRanges[0].Ptr()}
	}
	return nil
}

// unknown reports a name outside a list, suggesting the closest one.
func unknown(what, name string, known []string, rng hcl.Range) *hcl.Diagnostic {
	detail := fmt.Sprintf("Unknown %s %q.", what, name)
	best, bestD := "", 4
	for _, k := range known {
		if d := levenshtein.Distance(name, k, nil); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		detail += fmt.Sprintf(" Did you mean %q?", best)
	} else {
		s := append([]string(nil), known...)
		sort.Strings(s)
		detail += " Known: " + strings.Join(s, ", ") + "."
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown " + what, Detail: detail, Subject: rng.Ptr()}
}
