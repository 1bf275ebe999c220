package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// safeName is what a node name must look like to name a directory.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// defaultUsers is the user count of a node whose lab block names none.
const defaultUsers = 100

// initNode creates the node's simulator state from its declared release, SSP
// and platform and its lab block, and arms the lab block's faults.
func initNode(labDir string, cfg *eval.Config, n *eval.Node, opts Options) (string, error) {
	if !safeName.MatchString(n.Name) {
		return "", fmt.Errorf("lab: node name %q cannot name a state directory", n.Name)
	}
	dir := filepath.Join(labDir, "nodes", n.Name)
	if opts.Reuse {
		if _, err := sim.Load(dir); err == nil {
			return dir, nil
		}
	}
	// A fresh node starts from an empty root: media and backups left by an
	// earlier lab in the same directory would not match the new state.
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("lab: %w", err)
	}
	o := simOptions(n, opts)
	var ln *eval.LabNode
	if cfg.Lab != nil {
		ln = cfg.Lab.Nodes[n.Name]
	}
	if ln != nil {
		o.ActiveCalls = ln.ActiveCalls
		if ln.Users > 0 {
			o.Users = ln.Users
		}
		o.DiskFreeMB = int64(ln.DiskFreeMB)
		o.ClockSkew = ln.ClockSkew
		o.UDSBackup = ln.UDSBackup
		o.BlockedPorts = ln.BlockedPorts
	}
	if err := sim.Init(dir, o); err != nil {
		return "", fmt.Errorf("lab: node %s: %w", n.Name, err)
	}
	if ln == nil {
		return dir, nil
	}
	faults := []struct{ kind, phase string }{
		{"fail", ln.Fail}, {"disconnect", ln.Disconnect}, {"hang", ln.Hang}, {"slow", ln.Slow},
	}
	for _, f := range faults {
		if f.phase == "" {
			continue
		}
		// A fault fires once: a rehearsal shows the failure, and a resumed
		// run (or the reconnect after a disconnect) then goes on.
		if err := sim.SetFault(dir, f.phase, f.kind, 1); err != nil {
			return "", fmt.Errorf("lab: node %s: %s = %q: %w", n.Name, f.kind, f.phase, err)
		}
	}
	return dir, nil
}

// simOptions maps a manifest node to the simulator's options. A node whose
// SSP is not declared (-1) starts with no SSP installed: the rehearsal then
// shows the SSP pass a real node of unknown level would be given.
func simOptions(n *eval.Node, opts Options) sim.Options {
	ssp := n.SSP
	if ssp < 0 {
		ssp = 0
	}
	users := opts.DefaultUsers
	if users <= 0 {
		users = defaultUsers
	}
	return sim.Options{
		Node: n.Name, Kind: string(n.Kind), Release: n.Release, SSP: ssp,
		Platform: n.Platform, Users: users,
	}
}
