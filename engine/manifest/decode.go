package manifest

import (
	"fmt"
	"maps"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/schema"
)

// decoder accumulates one Manifest across files. Every method appends to
// diags and carries on, so one bad block never hides the next.
type decoder struct {
	m     *Manifest
	diags hcl.Diagnostics
	// seen maps a namespace ("node", "cluster", …) to the names declared in
	// it and where, to report duplicates against the first declaration.
	seen map[string]map[string]hcl.Range
}

func (d *decoder) file(body hcl.Body) {
	content, diags := Content(body, schema.Root)
	d.diags = append(d.diags, diags...)
	for _, b := range content.Blocks {
		switch b.Type {
		case schema.BlockRunbook:
			d.runbook(b)
		case schema.BlockVariable:
			d.variable(b)
		case schema.BlockLocals:
			d.locals(b)
		case schema.BlockConnection:
			if blk := d.block(b, schema.Connection, "connection"); blk != nil {
				d.m.Connections = append(d.m.Connections, blk)
			}
		case schema.BlockArtifact:
			if blk := d.block(b, schema.Artifact, "artifact"); blk != nil {
				d.m.Artifacts = append(d.m.Artifacts, blk)
			}
		case schema.BlockBackup:
			if d.single(b, d.m.Backup) {
				d.m.Backup = d.block(b, schema.Backup, "")
			}
		case schema.BlockSystemManager:
			d.systemManager(b)
		case schema.BlockCluster:
			d.cluster(b)
		case schema.BlockStep:
			d.m.Steps = append(d.m.Steps, d.step(b))
		case schema.BlockGuard:
			if blk := d.block(b, schema.Guard, "guard"); blk != nil {
				d.m.Guards = append(d.m.Guards, blk)
			}
		case schema.BlockLab:
			d.lab(b)
		case schema.BlockProfile:
			d.m.Profiles = append(d.m.Profiles, b.Body)
		}
	}
}

// block decodes b against s. When namespace is not empty, the block's label
// must be a valid name, unique in that namespace.
func (d *decoder) block(b *hcl.Block, s *hcl.BodySchema, namespace string) *Block {
	content, diags := Content(b.Body, s)
	d.diags = append(d.diags, diags...)
	blk := &Block{Type: b.Type, Attrs: content.Attributes, DeclRange: b.DefRange, LabelRange: b.DefRange}
	if len(b.Labels) > 0 {
		blk.Name = b.Labels[0]
		blk.LabelRange = b.LabelRanges[0]
		if namespace != "" {
			d.name(namespace, blk)
		}
	}
	return blk
}

// systemManager keeps up to two system_manager blocks: one System Manager,
// or the two members of a geo-redundant pair (the planner checks their geo
// roles). A third is a duplicate.
func (d *decoder) systemManager(b *hcl.Block) {
	switch {
	case d.m.SMGR == nil:
		d.m.SMGR = d.block(b, schema.SystemManager, "node")
	case d.m.SMGRPeer == nil:
		d.m.SMGRPeer = d.block(b, schema.SystemManager, "node")
	default:
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate system_manager block",
			Detail: fmt.Sprintf("A manifest has one system_manager block, or two for a geo-redundant pair (geo = \"primary\" and geo = \"secondary\"); the first two are at %s and %s. Remove this one.",
				At(d.m.SMGR.DeclRange), At(d.m.SMGRPeer.DeclRange)),
			Subject: b.DefRange.Ptr(),
		})
	}
}

// single reports whether a block that may appear once is seen for the first
// time, and reports the duplicate otherwise.
func (d *decoder) single(b *hcl.Block, prev *Block) bool {
	if prev == nil {
		return true
	}
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s block", b.Type),
		Detail: fmt.Sprintf("A manifest has at most one %s block; the first one is at %s. Merge the two.",
			b.Type, At(prev.DeclRange)),
		Subject: b.DefRange.Ptr(),
	})
	return false
}

func (d *decoder) runbook(b *hcl.Block) {
	var prev *Block
	if d.m.Runbook != nil {
		prev = &d.m.Runbook.Block
	}
	if !d.single(b, prev) {
		return
	}
	rb := &Runbook{}
	content, diags := Content(b.Body, schema.Runbook)
	d.diags = append(d.diags, diags...)
	rb.Block = Block{Type: b.Type, Name: b.Labels[0], Attrs: content.Attributes, DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}
	d.checkName("runbook", rb.Name, rb.LabelRange)
	for _, sub := range content.Blocks {
		switch sub.Type {
		case schema.BlockWindow:
			if d.single(sub, rb.Window) {
				rb.Window = d.block(sub, schema.Window, "")
			}
		case schema.BlockPolicy:
			if d.single(sub, rb.Policy) {
				rb.Policy = d.block(sub, schema.Policy, "")
			}
		}
	}
	d.m.Runbook = rb
}

func (d *decoder) variable(b *hcl.Block) {
	content, diags := Content(b.Body, schema.Variable)
	d.diags = append(d.diags, diags...)
	v := &Variable{
		Block: Block{Type: b.Type, Name: b.Labels[0], Attrs: content.Attributes, DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]},
		Type:  cty.DynamicPseudoType,
	}
	if !validIdentifier(v.Name) {
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   fmt.Sprintf("%q cannot be used as var.%s: a name starts with a letter and holds letters, digits, underscores and dashes.", v.Name, v.Name),
			Subject:  v.LabelRange.Ptr(),
		})
	} else {
		d.unique("variable", v.Name, v.LabelRange)
	}
	if attr := v.Attrs["type"]; attr != nil {
		ty, tdiags := typeexpr.TypeConstraint(attr.Expr)
		for _, td := range tdiags {
			if td.Detail != "" {
				td.Detail += " Valid types: string, number, bool, any, list(T), set(T), map(T), object({…}), tuple([…])."
			}
		}
		d.diags = append(d.diags, tdiags...)
		if !tdiags.HasErrors() {
			v.Type = ty
		}
	}
	for _, vb := range content.Blocks {
		vc, vdiags := Content(vb.Body, schema.Validation)
		d.diags = append(d.diags, vdiags...)
		val := &Validation{DeclRange: vb.DefRange}
		if a := vc.Attributes["condition"]; a != nil {
			val.Condition = a.Expr
		}
		if a := vc.Attributes["error_message"]; a != nil {
			val.ErrorMessage = a.Expr
		}
		v.Validations = append(v.Validations, val)
	}
	d.m.Variables = append(d.m.Variables, v)
}

func (d *decoder) locals(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	d.diags = append(d.diags, diags...)
	for _, a := range sortedAttrs(attrs) {
		if d.unique("local", a.Name, a.NameRange) {
			d.m.Locals = append(d.m.Locals, a)
		}
	}
}

func (d *decoder) cluster(b *hcl.Block) {
	content, diags := Content(b.Body, schema.Cluster)
	d.diags = append(d.diags, diags...)
	c := &Cluster{Block: Block{Type: b.Type, Name: b.Labels[0], Attrs: content.Attributes, DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}}
	d.name("cluster", &c.Block)
	if c.Name == "smgr" {
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Reserved cluster name",
			Detail:   `The name "smgr" is the cluster of the System Manager in step ids; choose another cluster name.`,
			Subject:  c.LabelRange.Ptr(),
		})
	}
	for _, nb := range content.Blocks {
		c.Nodes = append(c.Nodes, d.block(nb, schema.Node, "node"))
	}
	d.m.Clusters = append(d.m.Clusters, c)
}

func (d *decoder) lab(b *hcl.Block) {
	var prev *Block
	if d.m.Lab != nil {
		prev = &d.m.Lab.Block
	}
	if !d.single(b, prev) {
		return
	}
	content, diags := Content(b.Body, schema.Lab)
	d.diags = append(d.diags, diags...)
	l := &Lab{Block: Block{Type: b.Type, Attrs: content.Attributes, DeclRange: b.DefRange, LabelRange: b.DefRange}}
	for _, nb := range content.Blocks {
		l.Nodes = append(l.Nodes, d.block(nb, schema.LabNode, "lab node"))
	}
	d.m.Lab = l
}

// step decodes a step block: the attributes every step shares (schema.Step)
// and, beside them, the module's own arguments, kept as attributes. Which
// arguments a module takes is the module's to say (modules/registry); the
// evaluator checks them once it knows the module.
func (d *decoder) step(b *hcl.Block) *Block {
	content, remain, diags := b.Body.PartialContent(schema.Step)
	d.diags = append(d.diags, diags...)
	blk := &Block{Type: b.Type, Attrs: hcl.Attributes{}, DeclRange: b.DefRange, LabelRange: b.LabelRanges[0], Name: b.Labels[0]}
	if content != nil {
		maps.Copy(blk.Attrs, content.Attributes)
	}
	args, diags := remain.JustAttributes()
	d.diags = append(d.diags, diags...)
	maps.Copy(blk.Attrs, args)
	d.name("step", blk)
	return blk
}
