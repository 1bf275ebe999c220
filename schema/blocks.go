package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/internal/rollout"
)

// Block type names of the manifest language (README "The manifest"). They live beside the
// body schemas below so that the parser, the evaluator and the tests spell a
// name in exactly one place.
const (
	BlockRunbook       = "runbook"
	BlockWindow        = "window"
	BlockPolicy        = "policy"
	BlockVariable      = "variable"
	BlockValidation    = "validation"
	BlockLocals        = "locals"
	BlockConnection    = "connection"
	BlockArtifact      = "artifact"
	BlockBackup        = "backup"
	BlockSystemManager = string(rollout.KindSMGR)
	BlockCluster       = "cluster"
	BlockSM            = string(rollout.KindSM)
	BlockBSM           = string(rollout.KindBSM)
	BlockStep          = "step"
	BlockGuard         = "guard"
	BlockLab           = "lab"
	BlockLabNode       = "node"
	BlockProfile       = "profile"
)

// Root is the schema of a manifest file.
var Root = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: BlockRunbook, LabelNames: []string{"name"}},
		{Type: BlockVariable, LabelNames: []string{"name"}},
		{Type: BlockLocals},
		{Type: BlockConnection, LabelNames: []string{"name"}},
		{Type: BlockArtifact, LabelNames: []string{"name"}},
		{Type: BlockBackup},
		{Type: BlockSystemManager, LabelNames: []string{"name"}},
		{Type: BlockCluster, LabelNames: []string{"name"}},
		{Type: BlockStep, LabelNames: []string{"name"}},
		{Type: BlockGuard, LabelNames: []string{"name"}},
		{Type: BlockLab},
		{Type: BlockProfile},
	},
}

// Runbook is the schema of the runbook block.
var Runbook = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "change_id"}, {Name: "description"}, {Name: "target"}, {Name: "media_dir"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: BlockWindow}, {Type: BlockPolicy}},
}

// Window is the schema of the runbook's window block.
var Window = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "start", Required: true}, {Name: "end", Required: true},
	},
}

// Policy is the schema of the runbook's policy block.
var Policy = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "max_active_calls"}, {Name: "drain_timeout"}, {Name: "parallel"},
		{Name: "on_failure"}, {Name: "multi_hop"}, {Name: "method"},
		{Name: "branch_parallel"}, {Name: "max_failed_branches"}, {Name: "durations"},
	},
}

// Variable is the schema of a variable block.
var Variable = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: BlockValidation}},
}

// Validation is the schema of a variable's validation block.
var Validation = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true}, {Name: "error_message", Required: true},
	},
}

// Connection is the schema of a connection block.
var Connection = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "user"}, {Name: "port"}, {Name: "private_key_file"}, {Name: "password"},
		{Name: "known_hosts_file"}, {Name: "host_key_check"}, {Name: "jump"}, {Name: "timeout"},
	},
}

// Artifact is the schema of an artifact block.
var Artifact = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "kind", Required: true}, {Name: "product"}, {Name: "release", Required: true},
		{Name: "ssp"}, {Name: "file", Required: true}, {Name: "sha256"},
	},
}

// Backup is the schema of the backup block.
var Backup = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "store"}},
}

// SystemManager is the schema of the system_manager block: a node without a
// secondary, because SMGR stands outside clusters; geo names its role in a
// geo-redundant pair (two system_manager blocks).
var SystemManager = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host", Required: true}, {Name: "release", Required: true}, {Name: "target"},
		{Name: "ssp"}, {Name: "platform"}, {Name: "port"}, {Name: "connection"}, {Name: "geo"},
	},
}

// Cluster is the schema of a cluster block: one node block per kind of the
// kind table that lives in clusters, so a new kind needs no schema edit.
var Cluster = &hcl.BodySchema{Blocks: clusterBlocks()}

func clusterBlocks() []hcl.BlockHeaderSchema {
	var out []hcl.BlockHeaderSchema
	for _, k := range rollout.Kinds() {
		if k.Spec().InCluster() {
			out = append(out, hcl.BlockHeaderSchema{Type: string(k), LabelNames: []string{"name"}})
		}
	}
	return out
}

// Node is the schema of session_manager and branch_session_manager blocks
// (core, the core SMs a branch registers with, is for branches only).
var Node = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host", Required: true}, {Name: "release", Required: true}, {Name: "ssp"},
		{Name: "platform"}, {Name: "secondary"}, {Name: "port"}, {Name: "connection"},
		{Name: "target"}, {Name: "core"},
	},
}

// Step is the schema of the attributes every step block shares. The rest of
// a step's body are the arguments of its module, which each module declares
// itself (modules.Spec, listed in modules/registry); the parser keeps them as
// they are and the evaluator checks them against the module's Spec.
var Step = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "module", Required: true}, {Name: "nodes"}, {Name: "before"}, {Name: "after"},
		{Name: "depends_on"},
	},
}

// Guard is the schema of a guard block.
var Guard = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "phase", Required: true}, {Name: "condition", Required: true}, {Name: "message"},
	},
}

// Lab is the schema of the lab block.
var Lab = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: BlockLabNode, LabelNames: []string{"name"}}},
}

// LabNode is the schema of a lab node block.
var LabNode = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "active_calls"}, {Name: "users"}, {Name: "fail"}, {Name: "disconnect"},
		{Name: "hang"}, {Name: "slow"}, {Name: "disk_free_mb"}, {Name: "clock_skew"},
		{Name: "uds_backup"}, {Name: "blocked_ports"},
	},
}
