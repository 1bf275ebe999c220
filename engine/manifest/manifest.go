package manifest

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Manifest is the static form of one manifest (all its files): blocks with
// raw expressions and source ranges, in file-name then file order.
type Manifest struct {
	// Files maps each file name to its bytes, for diagnostic snippets.
	Files       map[string][]byte
	Runbook     *Runbook // nil when no runbook block was written
	Variables   []*Variable
	Locals      []*hcl.Attribute
	Connections []*Block
	Artifacts   []*Block
	Backup      *Block // nil without a backup block
	SMGR        *Block // the (first) system_manager block, nil when none
	// SMGRPeer is the second system_manager block of a geo-redundant pair,
	// nil when there is one System Manager (or none).
	SMGRPeer *Block
	Clusters []*Cluster
	Steps    []*Block
	Guards   []*Block
	Lab      *Lab // nil without a lab block
	// Profiles are the bodies of profile blocks: command profile overrides,
	// decoded by the sm module that owns the profile language.
	Profiles []hcl.Body
	// Incomplete is set when a file had syntax errors and was left out:
	// evaluating the rest would only report follow-up errors, so callers
	// stop after parsing.
	Incomplete bool
}

// Block is one block: its type, its name label (if any), its attributes as
// raw expressions, and its ranges.
type Block struct {
	Type  string
	Name  string // "" for unlabeled blocks (backup, window, policy, …)
	Attrs hcl.Attributes
	// DeclRange covers the block type and labels: where diagnostics about the
	// block as a whole point.
	DeclRange  hcl.Range
	LabelRange hcl.Range // the name label's range; DeclRange when unlabeled
}

// Attr returns the attribute of that name, nil when it was not written.
func (b *Block) Attr(name string) *hcl.Attribute {
	if b == nil {
		return nil
	}
	return b.Attrs[name]
}

// Runbook is the runbook block with its optional window and policy blocks.
type Runbook struct {
	Block
	Window *Block // nil when absent
	Policy *Block // nil when absent
}

// Variable is a variable block. Its type constraint is decoded here because a
// type expression is syntax, not a value.
type Variable struct {
	Block
	Type        cty.Type // cty.DynamicPseudoType when no type was given
	Validations []*Validation
}

// Validation is a variable's validation block.
type Validation struct {
	Condition    hcl.Expression // nil when missing (already reported)
	ErrorMessage hcl.Expression // nil when missing (already reported)
	DeclRange    hcl.Range
}

// Cluster is a cluster block and its nodes in file order.
type Cluster struct {
	Block
	Nodes []*Block // Type is schema.BlockSM or schema.BlockBSM
}

// Lab is the lab block and its node blocks.
type Lab struct {
	Block
	Nodes []*Block
}
