package eval

import (
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/manifest"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/schema"
)

// DefaultConnection is the connection of a manifest that declares none, and
// the base every connection block starts from.
func DefaultConnection(name string) *Connection {
	return &Connection{Name: name, Port: 22, KnownHostsFile: "~/.ssh/known_hosts",
		HostKeyCheck: "strict", Timeout: 15 * time.Second}
}

func (e *evaluator) connections() {
	for _, b := range e.m.Connections {
		c := DefaultConnection(b.Name)
		c.Range = b.DeclRange
		c.User, _ = e.str(b, "user")
		if v, ok := e.integer(b, "port", 1, 65535); ok {
			c.Port = v
		}
		c.PrivateKeyFile, _ = e.path(b, "private_key_file")
		if v, ok := e.value(b.Attr("password"), cty.String, "A string is expected."); ok {
			c.Password = v.AsString()
			e.secret(v) // a password is secret whether or not its variable says so
		}
		if v, ok := e.path(b, "known_hosts_file"); ok {
			c.KnownHostsFile = v
		}
		if a := b.Attr("host_key_check"); a != nil {
			if s, ok := e.str(b, "host_key_check"); ok && !contains(schema.HostKeyChecks, s) {
				e.errorf(a.Expr.Range().Ptr(), "Invalid host_key_check",
					`%q is not a host key policy. Host keys are always verified: "strict" accepts only keys in known_hosts; "accept-new" also records the first key of an unknown host and still refuses a changed one. There is no "off".`, s)
			} else if ok {
				c.HostKeyCheck = s
			}
		}
		c.Jump, _ = e.str(b, "jump")
		if v, ok := e.duration(b, "timeout", false); ok {
			if v == 0 {
				e.errorf(b.Attr("timeout").Expr.Range().Ptr(), "Invalid duration", "The connection timeout must be more than zero, such as \"15s\".")
			} else {
				c.Timeout = v
			}
		}
		e.cfg.Connections[c.Name] = c
	}
	if _, ok := e.cfg.Connections["default"]; !ok {
		e.cfg.Connections["default"] = DefaultConnection("default")
	}
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func (e *evaluator) artifacts() {
	for _, b := range e.m.Artifacts {
		a := &Artifact{Name: b.Name, Range: b.DeclRange}
		a.Kind, _ = e.enum(b, "kind", schema.ArtifactKinds)
		a.Product, _ = e.enum(b, "product", schema.Products)
		a.Release, _ = e.release(b, "release")
		if v, ok := e.integer(b, "ssp", 0, 1<<20); ok {
			a.SSP = v
		}
		e.artifactFile(b, a)
		if v, ok := e.str(b, "sha256"); ok {
			if !sha256Pattern.MatchString(v) {
				e.errorf(b.Attr("sha256").Expr.Range().Ptr(), "Invalid sha256",
					"A sha256 checksum is 64 hexadecimal digits; copy it from the vendor's download page or from `sha256sum FILE`.")
			} else {
				a.SHA256 = strings.ToLower(v)
			}
		}
		e.cfg.Artifacts = append(e.cfg.Artifacts, a)
	}
}

func (e *evaluator) backup() {
	e.backupStore(e.m.Backup)
}

func (e *evaluator) nodes() {
	if b := e.m.SMGR; b != nil {
		e.cfg.SMGR = e.node(b, KindSMGR, "smgr")
	}
	if b := e.m.SMGRPeer; b != nil {
		e.cfg.SMGRSecondary = e.node(b, KindSMGR, "smgr")
		// The primary is the one marked so; the planner's smgr.geo reports
		// a pair that is not one primary and one secondary.
		if e.cfg.SMGR.Geo != "primary" && e.cfg.SMGRSecondary.Geo == "primary" {
			e.cfg.SMGR, e.cfg.SMGRSecondary = e.cfg.SMGRSecondary, e.cfg.SMGR
		}
	}
	for _, cb := range e.m.Clusters {
		c := &Cluster{Name: cb.Name, Range: cb.DeclRange}
		for _, kind := range rollout.Kinds() {
			if !kind.Spec().InCluster() {
				continue
			}
			for _, nb := range cb.Nodes {
				if nb.Type == string(kind) {
					c.Nodes = append(c.Nodes, e.node(nb, kind, cb.Name))
				}
			}
		}
		if len(c.Nodes) == 0 {
			e.warnf(cb.LabelRange.Ptr(), "Empty cluster",
				"The cluster %q has no session_manager or branch_session_manager block, so it upgrades nothing.", cb.Name)
		}
		e.cfg.Clusters = append(e.cfg.Clusters, c)
	}
	e.uniqueAddresses()
}

// uniqueAddresses refuses two nodes at the same host and port (through the
// same jump host): they are one machine, which the plan would drain, upgrade
// and count twice, breaking the one-at-a-time and secondary rules. Host
// names compare without case, as DNS does.
func (e *evaluator) uniqueAddresses() {
	type address struct{ jump, host string }
	seen := map[address]*Node{}
	for _, n := range e.cfg.AllNodes() {
		if n.Host == "" {
			continue // not given or invalid: reported already
		}
		t := e.cfg.Target(n)
		key := address{t.Jump, strings.ToLower(net.JoinHostPort(strings.Trim(n.Host, "[]"), strconv.Itoa(t.Port)))}
		first, dup := seen[key]
		if !dup {
			seen[key] = n
			continue
		}
		e.errorf(n.hostRange(), "Duplicate node address",
			"The node %q has the same address, %s, as the node %q at %s: two nodes cannot be one machine. Correct the host or port of one of them.",
			n.Name, key.host, first.Name, manifest.At(*first.hostRange()))
	}
}

// hostRange is where the node's host is written (its block when it is not).
func (n *Node) hostRange() *hcl.Range {
	if r, ok := n.Attrs["host"]; ok {
		return r.Ptr()
	}
	return n.Range.Ptr()
}

var hostPattern = regexp.MustCompile(`^[A-Za-z0-9._:\[\]-]+$`)

func (e *evaluator) node(b *manifest.Block, kind rollout.Kind, cluster string) *Node {
	n := &Node{Name: b.Name, Kind: kind, Cluster: cluster, SSP: -1, Range: b.DeclRange, Attrs: map[string]hcl.Range{}}
	for name, a := range b.Attrs {
		n.Attrs[name] = a.Expr.Range()
	}
	if v, ok := e.str(b, "host"); ok {
		if !hostPattern.MatchString(v) {
			e.errorf(b.Attr("host").Expr.Range().Ptr(), "Invalid host",
				"%q is not a host name or address; write a name such as sm-dal.example.net or an IP address, without user or port.", v)
		} else {
			n.Host = v
		}
	}
	n.Release, _ = e.release(b, "release")
	if v, ok := e.integer(b, "ssp", 0, 1<<20); ok {
		n.SSP = v
	}
	n.Platform, _ = e.enum(b, "platform", schema.Platforms)
	n.Secondary, _ = e.str(b, "secondary")
	n.Geo, _ = e.enum(b, "geo", schema.GeoRoles)
	if b.Attr("core") != nil {
		if kind != KindBSM {
			e.errorf(b.Attr("core").NameRange.Ptr(), "Unsupported argument",
				"core names the core SMs a branch_session_manager registers with; a %s has none.", kind)
		} else if v, ok := e.strList(b, "core"); ok {
			n.Core = v
		}
	}
	if v, ok := e.integer(b, "port", 1, 65535); ok {
		n.Port = v
	}
	if v, ok := e.str(b, "connection"); ok {
		if _, declared := e.cfg.Connections[v]; !declared {
			e.errorf(b.Attr("connection").Expr.Range().Ptr(), "Reference to undeclared connection",
				"No connection block is named %q.%s Declare connection %q { … } or remove the attribute to use \"default\".",
				v, suggest(v, slices.Sorted(maps.Keys(e.cfg.Connections))), v)
		} else {
			n.Connection = v
		}
	}
	n.Target, _ = e.release(b, "target")
	// SMGR's target may stay empty: the planner gives it the runbook target
	// when the SMs need it. Without a runbook block that error comes first.
	if kind != KindSMGR && b.Attr("target") == nil && e.m.Runbook != nil && e.m.Runbook.Attr("target") == nil {
		e.errorf(b.DeclRange.Ptr(), "No target release",
			"The node %q has no target: set target in the runbook block (for every node) or on the node.", b.Name)
	}
	return n
}
