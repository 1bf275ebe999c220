package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/runbook-dev/runbook/engine/driver"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/ssh"
)

// gatherAll reads every node's facts with the driver through the dry-run
// gate: whatever the profile says, only read-only commands can reach a node
// here.
func gatherAll(ctx context.Context, cfg *eval.Config, drv *driver.Driver, d modules.Dialer) (map[string]facts.Facts, error) {
	gate := dryrun.NewDialer(d, nil)
	all := map[string]facts.Facts{}
	var errs *multierror.Error
	for _, n := range cfg.AllNodes() {
		conn, err := gate.Dial(ctx, cfg.Target(n))
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		f, err := drv.Gather(ctx, conn, string(n.Kind))
		conn.Close()
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", n.Name, err))
			continue
		}
		all[n.Name] = f
	}
	return all, errs.ErrorOrNil()
}

// refreshFacts is plan --refresh: read real facts over SSH, read-only.
func refreshFacts(io *stdio, l *loaded) (map[string]facts.Facts, error) {
	if !l.loadDriver() {
		return nil, nil // compile reports the profile's diagnostics
	}
	all, err := gatherAll(io.ctx, l.cfg, l.drv, ssh.NewDialer(ssh.Options{}))
	if err != nil {
		return nil, redactorFor(l.cfg).Err(fmt.Errorf("reading facts: %w", err))
	}
	return all, nil
}
