package eval

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/zclconf/go-cty/cty"
)

// Config is a manifest after evaluation: every attribute that can be known
// before facts are gathered is a plain Go value, with the source range kept for
// diagnostics. Expressions that need node.* or facts.* (a user step's command,
// a guard's condition) stay hcl.Expression and are evaluated later against
// NodeContext.
type Config struct {
	Runbook     Runbook
	Variables   map[string]Variable
	Connections map[string]*Connection
	Artifacts   []*Artifact
	Backup      Backup
	// SMGR is the System Manager, nil when the manifest names none. Its Cluster is "smgr".
	// With a geo-redundant pair it is the member marked geo = "primary" (the
	// first block when neither or both are).
	SMGR *Node
	// SMGRSecondary is the other member of a geo-redundant System Manager
	// pair, nil without one. Its Cluster is "smgr" too.
	SMGRSecondary *Node
	Clusters      []*Cluster
	Steps         []*Step
	Guards        []*Guard
	Lab           *Lab // nil without a lab block
	// Profiles are the manifest's command profile overrides (profile blocks),
	// raw: modules/sm decodes them.
	Profiles []hcl.Body

	// Ctx holds var.*, local.* and the functions; NodeContext derives from it.
	Ctx *hcl.EvalContext
	// Files maps each source file name to its bytes, for diagnostic snippets
	// (manifest files, and -var-file files once read).
	Files map[string][]byte
	// Dir is the manifest's directory (the path itself, or the directory of a
	// single manifest file); relative artifact files and media_dir are
	// relative to it (the backup store is relative to the working directory).
	// "" when the manifest came from memory.
	Dir string
	// SHA256 is the manifest hash: sha256 over the sorted file names and contents.
	SHA256 string
	// Secrets lists the values of sensitive variables and passwords, for the redactor.
	Secrets []string
	// Unknown lists the attributes left unevaluated because a variable they
	// use has no value; only LoadOptions.AllowUnset (validate) allows that.
	Unknown []UnknownValue
}

// UnknownValue is an attribute whose value is not known for want of a
// variable value.
type UnknownValue struct {
	Range hcl.Range
	Block string   // the kind of block it is in: "runbook", "connection", "node", …
	Vars  []string // the variables without a value it uses
}

// Runbook is the runbook block.
type Runbook struct {
	Name        string
	ChangeID    string
	Description string
	Target      string
	// MediaDir is the resolved media_dir: a folder outside the manifest's
	// folder that artifact files may come from; "" when not set.
	MediaDir    string
	Window      *Window // nil without a window block
	Policy      Policy
	DeclRange   hcl.Range
	TargetRange hcl.Range
}

// Window is the maintenance window.
type Window struct {
	Start, End time.Time
	Range      hcl.Range
}

// Policy holds the runbook's policy block with defaults applied.
type Policy struct {
	MaxActiveCalls int           // default 0
	DrainTimeout   time.Duration // default 30m
	Parallel       int           // core SMs out of service at once, enterprise-wide; default 1
	OnFailure      string        // halt | rollback; default halt
	MultiHop       bool          // default true
	Method         string        // backup_restore | data_migration; default backup_restore
	BranchParallel int           // default 1
	// MaxFailedBranches is the failure budget of the BSM waves (unset: the
	// first failure halts).
	MaxFailedBranches FailBudget
	// Durations overrides the catalog's estimated phase durations, by phase name.
	Durations map[string]time.Duration
	Range     hcl.Range
	// Attrs holds the range of each policy attribute that was set, for the
	// static guards that point at one (policy.parallel, calls.policy).
	Attrs map[string]hcl.Range
}

// Variable is a declared input variable after -var, -var-file and environment.
type Variable struct {
	Name      string
	Sensitive bool
	Range     hcl.Range
	// Value is the final value, converted to the declared type. A sensitive
	// value is also listed in Config.Secrets; never print it.
	Value cty.Value
}

// Connection is a connection block.
type Connection struct {
	Name           string
	User           string
	Port           int // default 22
	PrivateKeyFile string
	Password       string // may be a secret; never printed
	KnownHostsFile string // default ~/.ssh/known_hosts
	HostKeyCheck   string // strict (default) | accept-new
	Jump           string
	Timeout        time.Duration // default 15s
	Range          hcl.Range
}

// Artifact is an artifact block (installation media).
type Artifact struct {
	Name    string
	Kind    string // release | ssp
	Product string // session_manager | system_manager | "" (any)
	Release string
	SSP     int // for kind = "ssp": the SSP level the medium carries; 0 when not said
	File    string
	// MediaDir is set when File comes from the runbook's media_dir, outside
	// the manifest's folder; File is then absolute, for review in the plan.
	MediaDir string
	SHA256   string
	Range    hcl.Range
}

// Backup is the backup block.
type Backup struct {
	Store string // default "backups"; "~" expanded, relative to the working directory
}

// Cluster is a cluster block.
type Cluster struct {
	Name  string
	Nodes []*Node // session managers first, then branch session managers, each in file order
	Range hcl.Range
}

// Node kinds: the names internal/rollout gives them, kept here for the code
// that already says eval.KindSM.
const (
	KindSM   = rollout.KindSM
	KindBSM  = rollout.KindBSM
	KindSMGR = rollout.KindSMGR
)

// Node is one SM, BSM or SMGR.
type Node struct {
	Name      string
	Kind      rollout.Kind
	Cluster   string // "smgr" for the System Manager
	Host      string
	Port      int    // 0: the connection's port
	Release   string // declared current release
	SSP       int    // declared SSP level; -1 when not declared
	Platform  string // "" when not declared
	Secondary string // name of the SM that serves this node's phones while it is down
	// Geo is a System Manager's role in a geo-redundant pair: "primary",
	// "secondary", or "" (a single System Manager).
	Geo string
	// Core names the core SMs a BSM registers with (at most two, any
	// cluster); nil means the core SMs of its cluster. BSMs only.
	Core       []string
	Connection string // connection block name; "" means "default"
	Target     string // "" means the runbook target (for SMGR: the runbook target when SMs need it)
	Range      hcl.Range
	// Attrs holds the range of each attribute that was set, for precise diagnostics.
	Attrs map[string]hcl.Range
}

// Step is a user-defined step block.
type Step struct {
	Name      string
	Module    string
	Nodes     []string // names or globs
	Before    string   // phase name or ""
	After     string   // phase name or ""
	DependsOn []string // names of other step blocks
	// Args are the module's own attributes (command, source, destination,
	// duration, message …), evaluated per node with NodeContext.
	Args  map[string]hcl.Expression
	Range hcl.Range
}

// Guard is a user-defined guard block.
type Guard struct {
	Name      string
	Phase     string
	Condition hcl.Expression
	Message   hcl.Expression
	Range     hcl.Range
}

// Lab is the lab block, read only by --lab.
type Lab struct {
	Nodes map[string]*LabNode
}

// LabNode is a lab node block.
type LabNode struct {
	ActiveCalls int
	Users       int
	Fail        string // phase
	Disconnect  string // phase
	Hang        string // phase
	Slow        string // phase
	DiskFreeMB  int    // 0: simulator default
	ClockSkew   time.Duration
	UDSBackup   string // "" | ok | failed | not_configured
	// BlockedPorts are ports a firewall blocks from this node to System
	// Manager: the simulated port check (firewall.ports) reports them down.
	BlockedPorts []int
	Range        hcl.Range
}

// AllNodes returns SMGR (if any), the geo-redundant secondary (if any), then every cluster node in manifest order.
func (c *Config) AllNodes() []*Node {
	var out []*Node
	if c.SMGR != nil {
		out = append(out, c.SMGR)
	}
	if c.SMGRSecondary != nil {
		out = append(out, c.SMGRSecondary)
	}
	for _, cl := range c.Clusters {
		out = append(out, cl.Nodes...)
	}
	return out
}

// NodeByName finds a node by name, nil when none.
func (c *Config) NodeByName(name string) *Node {
	for _, n := range c.AllNodes() {
		if n.Name == name {
			return n
		}
	}
	return nil
}
