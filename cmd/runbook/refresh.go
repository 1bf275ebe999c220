package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// gatherAll reads every node's facts through the dry-run gate: whatever the
// profile says, only read-only commands can reach a node here. redirect maps
// a node's target (the lab replaces the manifest's hosts with its own).
func gatherAll(ctx context.Context, cfg *eval.Config, prof *sm.Profile, d modules.Dialer) (map[string]sm.Facts, error) {
	gate := dryrun.NewDialer(d, nil)
	facts := map[string]sm.Facts{}
	var errs *multierror.Error
	for _, n := range cfg.AllNodes() {
		conn, err := gate.Dial(ctx, cfg.Target(n))
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		f, err := sm.GatherFacts(ctx, conn, string(n.Kind), prof)
		conn.Close()
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		facts[n.Name] = f
	}
	return facts, errs.ErrorOrNil()
}

// refreshFacts is plan --refresh: read real facts over SSH, read-only.
func refreshFacts(io *stdio, l *loaded) (map[string]plan.Facts, error) {
	if !l.loadProfile() {
		return nil, nil // compile reports the profile's diagnostics
	}
	facts, err := gatherAll(io.ctx, l.cfg, l.prof, ssh.NewDialer(ssh.Options{}))
	if err != nil {
		return nil, redactorFor(l.cfg).Err(fmt.Errorf("reading facts: %w", err))
	}
	out := map[string]plan.Facts{}
	for name, f := range facts {
		out[name] = plan.Facts{Release: f.Release, SSP: f.SSP}
	}
	return out, nil
}
