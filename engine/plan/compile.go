package plan

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/dag"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/facts"
)

// Options are the inputs of Compile beyond the manifest and the catalog.
type Options struct {
	// Facts, by node name, override the declared release and SSP (plan
	// --refresh); the planner reads no other fact. A Release of "" or an
	// SSP of -1 keeps the declared value.
	Facts map[string]facts.Facts
	// Commands renders the command lines of a task for the plan output. Nil
	// leaves every step's command list empty.
	Commands func(module string, t modules.Task) []string
}

// transform is one stage of the plan build.
type transform struct {
	name string
	run  func(*builder)
}

// transforms is the build pipeline, in order.
var transforms = []transform{
	{"nodes", (*builder).nodesTransform},
	{"paths", (*builder).pathsTransform},
	{"units", (*builder).unitsTransform},
	{"order search", (*builder).searchTransform},
	{"hop steps", (*builder).hopStepsTransform},
	{"user steps", (*builder).userStepsTransform},
	{"cross-node edges", (*builder).edgesTransform},
	{"schedule", (*builder).scheduleTransform},
	{"static guards", (*builder).guardsTransform},
}

// newBuilder is an empty build of cfg's plan, before any transform.
func newBuilder(cfg *eval.Config, cat *catalog.Catalog, opts Options) *builder {
	if cat == nil {
		cat = catalog.Default()
	}
	b := &builder{cfg: cfg, cat: cat, opts: opts, graph: dag.New(), steps: map[string]*Step{},
		byName: map[string]*nodeState{}}
	b.plan = &Plan{FormatVersion: FormatVersion, Runbook: cfg.Runbook.Name, ChangeID: cfg.Runbook.ChangeID,
		ManifestSHA256: cfg.SHA256, Nodes: []*Node{}, Steps: []*Step{}, Order: []string{}, Diagnostics: []Diagnostic{}}
	return b
}

// Compile builds the plan. The plan is returned even when diagnostics hold
// errors, so that `plan --json` can print it with its verdicts; callers must
// refuse to apply a plan whose diagnostics have errors.
func Compile(cfg *eval.Config, cat *catalog.Catalog, opts Options) (*Plan, hcl.Diagnostics) {
	b := newBuilder(cfg, cat, opts)
	for _, t := range transforms {
		t.run(b)
	}
	b.plan.Diagnostics = ToDiagnostics(b.diags)
	return b.plan, b.diags
}
