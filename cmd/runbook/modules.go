package main

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules/sm"
)

// profileFor is the embedded command profile merged with the manifest's
// profile blocks (same kind and action: the manifest's replaces the default).
func profileFor(cfg *eval.Config) (*sm.Profile, hcl.Diagnostics) {
	p := sm.DefaultProfile()
	var diags hcl.Diagnostics
	if cfg == nil {
		return p, nil
	}
	for _, body := range cfg.Profiles {
		o, d := sm.DecodeProfile(body)
		diags = append(diags, d...)
		if !d.HasErrors() {
			p = p.Merge(o)
		}
	}
	return p, diags
}
