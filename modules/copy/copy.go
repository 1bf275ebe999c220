// Package copy is the module of user `copy` steps: it uploads a controller
// file to a node over the connection's file transfer (SFTP), which checks
// the sha256 on both ends.
package copy

import (
	"context"
	"fmt"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/localpath"
)

// Module is the copy module.
type Module struct{}

// Spec is what a step block gives the copy module.
var Spec = modules.Spec{
	Name: "copy",
	Doc:  "uploads a controller file to each matched node, sha256-checked",
	Args: []modules.Arg{
		{Name: "source", Type: modules.String, Required: true, Doc: "the file on the controller (a leading ~ is the operator's home)"},
		{Name: "destination", Type: modules.String, Required: true, Doc: "the path on the node"},
	},
}

func (Module) Name() string { return "copy" }

// Commands shows the transfer as one line; it is not a shell command.
func (Module) Commands(t modules.Task) ([]string, error) {
	src, dst := t.Args["source"], t.Args["destination"]
	if src == "" || dst == "" {
		return nil, fmt.Errorf("%s: copy needs source and destination", t.Node)
	}
	return []string{"sftp put " + modules.Quote(src) + " " + modules.Quote(dst)}, nil
}

// Run uploads source to destination.
func (m Module) Run(ctx context.Context, conn modules.Conn, t modules.Task) (modules.Outcome, error) {
	if _, err := m.Commands(t); err != nil {
		return modules.Outcome{}, err
	}
	// "~" is the operator's home folder, as in every controller path.
	src, err := localpath.ExpandHome(t.Args["source"])
	if err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: copy source: %w", t.Node, err)
	}
	sum, err := conn.Upload(ctx, src, t.Args["destination"])
	if err != nil {
		return modules.Outcome{}, fmt.Errorf("%s: copy %s: %w", t.Node, t.Args["source"], err)
	}
	return modules.Outcome{
		Values:  map[string]string{"destination": t.Args["destination"], "sha256": sum},
		Summary: "copied to " + t.Args["destination"] + " (sha256 " + sum + ")",
	}, nil
}
