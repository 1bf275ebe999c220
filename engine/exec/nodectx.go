package exec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/zclconf/go-cty/cty"
)

// defaultNodeContext is eval's node context with facts.* built from facts.Facts.
func defaultNodeContext(cfg *eval.Config, n *eval.Node, f *facts.Facts) (*hcl.EvalContext, error) {
	return cfg.NodeContextFor(n, FactsValues(f)), nil
}

// FactsValues turns facts into the attributes of facts.* in manifest
// expressions (README "The manifest"). Names follow the JSON names of facts.Facts.
func FactsValues(f *facts.Facts) map[string]cty.Value {
	if f == nil {
		return nil
	}
	services := map[string]cty.Value{}
	for k, v := range f.Services {
		services[k] = cty.StringVal(v)
	}
	disk := map[string]cty.Value{}
	for k, v := range f.DiskFreeMB {
		disk[k] = cty.NumberIntVal(v)
	}
	clock := ""
	if !f.Clock.IsZero() {
		clock = f.Clock.UTC().Format(time.RFC3339)
	}
	return map[string]cty.Value{
		"release":       cty.StringVal(f.Release),
		"ssp":           cty.NumberIntVal(int64(f.SSP)),
		"service_state": cty.StringVal(f.ServiceState),
		"active_calls":  cty.NumberIntVal(int64(f.ActiveCalls)),
		"services":      mapVal(services),
		"disk_free_mb":  mapVal(disk),
		"clock":         cty.StringVal(clock),
		"uds_backup":    cty.StringVal(f.UDSBackup),
		"users":         cty.NumberIntVal(int64(f.Users)),
		"data_digest":   cty.StringVal(f.DataDigest),
	}
}

// mapVal is an object rather than a map so that an empty one still indexes
// to an error naming the missing key, and mixed types cannot occur.
func mapVal(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// renderMessage evaluates a guard's message; when it cannot be rendered the
// guard still refuses, with a message saying so.
func (r *run) renderMessage(expr hcl.Expression, ctx *hcl.EvalContext, name string) string {
	if expr == nil {
		return "guard " + name + " refused"
	}
	s, diags := eval.EvalString(expr, ctx)
	if diags.HasErrors() {
		return "guard " + name + " refused (message: " + diags.Error() + ")"
	}
	return s
}

// OfflineFactsValues is facts.* for an offline dry-run: the release, SSP and
// service state are declared or predicted; everything else only the node
// can tell, so it is unknown and conditions over it evaluate to unknown.
func OfflineFactsValues(f *facts.Facts) map[string]cty.Value {
	v := FactsValues(f)
	for _, k := range []string{"active_calls", "users"} {
		v[k] = cty.UnknownVal(cty.Number)
	}
	for _, k := range []string{"clock", "uds_backup", "data_digest"} {
		v[k] = cty.UnknownVal(cty.String)
	}
	v["services"] = cty.DynamicVal
	v["disk_free_mb"] = cty.DynamicVal
	if f.SSP < 0 {
		v["ssp"] = cty.UnknownVal(cty.Number)
	}
	return v
}
