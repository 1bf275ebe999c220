package plan

import (
	"sort"
	"strings"
)

// Sensitive is what a secret value prints as.
const Sensitive = "(sensitive)"

// Redacted returns a copy of the plan fit for output (plan --json, --out,
// records): every occurrence of a secret (Config.Secrets) in step arguments
// and commands reads "(sensitive)". The plan itself keeps the real values,
// which apply needs. Longer secrets are replaced first, so a secret that
// contains another is not half shown.
func (p *Plan) Redacted(secrets []string) *Plan {
	var ss []string
	for _, s := range secrets {
		if s != "" {
			ss = append(ss, s)
		}
	}
	sort.Slice(ss, func(i, j int) bool { return len(ss[i]) > len(ss[j]) })
	hide := func(v string) string {
		for _, s := range ss {
			v = strings.ReplaceAll(v, s, Sensitive)
		}
		return v
	}
	out := *p
	out.Steps = make([]*Step, len(p.Steps))
	for i, s := range p.Steps {
		c := *s
		c.Commands = make([]string, len(s.Commands))
		for j, cmd := range s.Commands {
			c.Commands[j] = hide(cmd)
		}
		if s.Args != nil {
			c.Args = make(map[string]string, len(s.Args))
			for k, v := range s.Args {
				c.Args[k] = hide(v)
			}
		}
		c.DependsOn = append([]string{}, s.DependsOn...)
		out.Steps[i] = &c
	}
	out.Diagnostics = make([]Diagnostic, len(p.Diagnostics))
	for i, d := range p.Diagnostics {
		d.Summary, d.Detail = hide(d.Summary), hide(d.Detail)
		out.Diagnostics[i] = d
	}
	return &out
}
