package plan

import "github.com/runbook-dev/runbook/internal/rollout"

// Plan is the plan document: what `plan --json` prints, what
// `--out` saves and what apply executes. Its JSON field names are a contract.
type Plan struct {
	FormatVersion  string `json:"format_version"`
	Runbook        string `json:"runbook"`
	ChangeID       string `json:"change_id"`
	ManifestSHA256 string `json:"manifest_sha256"`
	// Manifest is where a saved plan's manifest lives, relative to the plan
	// file, so that `apply PLANFILE` can check the plan is not stale.
	Manifest           string       `json:"manifest,omitempty"`
	Nodes              []*Node      `json:"nodes"`
	Steps              []*Step      `json:"steps"`
	Order              []string     `json:"order"`
	EstimatedDurationS int          `json:"estimated_duration_s"`
	Diagnostics        []Diagnostic `json:"diagnostics"`
}

// FormatVersion is the plan document's version.
const FormatVersion = "1"

// Node is one node and its path.
type Node struct {
	Name     string       `json:"name"`
	Kind     rollout.Kind `json:"kind"`
	Cluster  string       `json:"cluster"`
	Host     string       `json:"host"`
	Release  string       `json:"release"`
	SSP      int          `json:"ssp"` // -1 when not declared
	Platform string       `json:"platform,omitempty"`
	Target   string       `json:"target"`
	Path     []string     `json:"path"`
	// Secondary is the node that must be in service while this one is drained.
	Secondary string `json:"secondary,omitempty"`
	// Core lists, for a BSM, the core SMs it registers with (its core
	// attribute, else the core SMs of its cluster).
	Core []string `json:"core,omitempty"`
	// Geo is a System Manager's role in a geo-redundant pair: "primary" or
	// "secondary".
	Geo string `json:"geo,omitempty"`
}

// Step is one executable unit: (node, hop, phase) or a user step.
type Step struct {
	ID        string        `json:"id"` // CLUSTER/NODE/HOP/PHASE
	Node      string        `json:"node"`
	Cluster   string        `json:"cluster"`
	Phase     rollout.Phase `json:"phase"`
	Hop       Hop           `json:"hop"`
	Module    string        `json:"module"`
	Commands  []string      `json:"commands"`
	DependsOn []string      `json:"depends_on"`
	EstimateS int           `json:"estimate_s"`
	// Args are the module's arguments (media path, target, artifact sha256 …).
	// Never secret.
	Args map[string]string `json:"args,omitempty"`
	// OutOfService marks steps inside a drained window (drain … undrain).
	OutOfService bool `json:"out_of_service,omitempty"`
	// User marks a step of a manifest step block. Its Phase is the block's
	// name, so a user step may be named like a phase and use that phase's
	// module: it is still never that phase (see Planned).
	User bool `json:"user,omitempty"`
	// Drain are a planned drain's arguments, typed (nil for other steps);
	// the document carries them in Args (see DrainArgs).
	Drain *DrainArgs `json:"-"`
}

// Hop is the release move a step belongs to. Index 0 is the SSP pass.
type Hop struct {
	Index int    `json:"index"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Diagnostic is a static guard verdict or a manifest problem.
type Diagnostic struct {
	Severity string `json:"severity"` // error | warning
	Rule     string `json:"rule,omitempty"`
	Node     string `json:"node,omitempty"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	Range    *Range `json:"range,omitempty"`
}

// Range is a source position.
type Range struct {
	Filename string `json:"filename"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

// Phases, in the order a hop goes through them: the phase table of
// internal/rollout, named here for the code that says plan.PhaseDrain.
const (
	PhasePrecheck = rollout.PhasePrecheck
	PhaseBackup   = rollout.PhaseBackup
	PhaseUpload   = rollout.PhaseUpload
	PhaseDrain    = rollout.PhaseDrain
	PhaseSSP      = rollout.PhaseSSP
	PhaseUpgrade  = rollout.PhaseUpgrade
	PhaseMigrate  = rollout.PhaseMigrate
	PhaseRestore  = rollout.PhaseRestore
	PhaseVerify   = rollout.PhaseVerify
	PhaseUndrain  = rollout.PhaseUndrain

	PhaseReplicationOff = rollout.PhaseReplicationOff
	PhaseReplicationOn  = rollout.PhaseReplicationOn
)

// Planned says whether s is the planned step of that phase. A user step
// never is, whatever its name and module: it neither satisfies nor replaces
// a phase of the plan.
func (s *Step) Planned(phase rollout.Phase) bool { return !s.User && s.Phase == phase }

// StepByID returns the step with that id, nil when none.
func (p *Plan) StepByID(id string) *Step {
	for _, s := range p.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// ChangesNode reports whether a planned phase changes the node's service or
// software (the phase table's ChangesNode): Deny New Service and the
// installers, restore and migration. These are the steps that must fit in
// what is left of the maintenance window. Reads (precheck, verify), the
// backup, the media upload and the undrain that puts a node back in service
// do not.
func ChangesNode(phase rollout.Phase) bool { return phase.Spec().ChangesNode }
