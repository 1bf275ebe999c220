// Package guard names the guard rules (the README's guard table) and their severities. The
// ids are a contract with users (they appear in diagnostics, plan documents
// and change records), so they are spelled here once and every producer uses
// these constants.
package guard

// Static (plan-time) rule ids.
const (
	PathUnsupported = "path.unsupported"
	// PathUnknownRelease: a target or declared release the catalog does not
	// know (newer than its data): a newer catalog (--catalog) fixes it.
	PathUnknownRelease = "path.unknown_release"
	PathDowngrade      = "path.downgrade"
	PathMultiHop       = "path.multi_hop"
	SourceNotLatest    = "source.not_latest"
	SSPRequired        = "ssp.required"
	PlatformAVP        = "platform.avp"
	PlatformAWS        = "platform.aws"
	ClusterReleases    = "cluster.releases"
	ClusterUDSSplit    = "cluster.uds_split"
	ClusterSecondary   = "cluster.secondary"
	ClusterSize        = "cluster.size"
	// ClusterNoSecondary: a core SM the plan drains has no secondary, so its
	// phones lose service while it is drained.
	ClusterNoSecondary = "cluster.no_secondary"
	// PolicyParallel: policy.parallel > 1 takes several core SMs out of
	// service at once, against the vendor's "one at a time".
	PolicyParallel = "policy.parallel"
	// CallsPolicy: max_active_calls > 0 lets calls stay on a node while it
	// changes; they cannot be changed (transfer, hold) and may drop.
	CallsPolicy    = "calls.policy"
	OrderSMGRFirst = "order.smgr_first"
	BSMAboveCore   = "bsm.above_core"
	// BSMCore: a BSM's core names an unknown node, a node that is not a
	// core SM, or more than two.
	BSMCore = "bsm.core"
	// BSMLevel: a BSM ends below its core SMs' release (pinned).
	BSMLevel        = "bsm.level"
	WindowTooShort  = "window.too_short"
	ArtifactMissing = "artifact.missing"
	// PlanCycle is not a vendor rule: user step dependencies formed a cycle.
	PlanCycle = "plan.cycle"
)

// Runtime (apply-time) rule ids.
const (
	ArtifactChecksum = "artifact.checksum"
	FactsDrift       = "facts.drift"
	CallsActive      = "calls.active"
	PeerUnavailable  = "peer.unavailable"
	WindowClosed     = "window.closed"
	DiskSpace        = "disk.space"
	TimeSkew         = "time.skew"
	UDSBackup        = "uds.backup"
	FirewallPorts    = "firewall.ports"
	BackupVerify     = "backup.verify"
	VerifyRelease    = "verify.release"
	VerifyServices   = "verify.services"
	VerifyData       = "verify.data"
)

// Rule ids beyond the vendor's rules (the README's guard table lists them).
const (
	// RollbackMedia (plan): on_failure = "rollback" but a node's rollback
	// needs the medium of its source release and no artifact provides it.
	RollbackMedia = "rollback.media"
	// ArtifactRelease (apply): the medium on the node is not the one the
	// hop installs (another release, product, kind or SSP level).
	ArtifactRelease = "artifact.release"
)

// Severity is how a verdict weighs: an error refuses the plan or stops apply,
// a warning is reported and the plan goes on.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Static maps every plan-time rule to its default severity. path.multi_hop
// becomes an error when policy.multi_hop is false; the planner decides that.
var Static = map[string]Severity{
	PathUnsupported:    Error,
	PathUnknownRelease: Error,
	ClusterNoSecondary: Warning,
	PolicyParallel:     Warning,
	CallsPolicy:        Warning,
	PathDowngrade:      Error,
	PathMultiHop:       Warning,
	SourceNotLatest:    Warning,
	SSPRequired:        Warning,
	PlatformAVP:        Error,
	PlatformAWS:        Error,
	ClusterReleases:    Error,
	ClusterUDSSplit:    Warning,
	ClusterSecondary:   Error,
	ClusterSize:        Error,
	OrderSMGRFirst:     Error,
	BSMAboveCore:       Error,
	BSMCore:            Error,
	BSMLevel:           Warning,
	WindowTooShort:     Error,
	ArtifactMissing:    Warning,
	RollbackMedia:      Error,
	PlanCycle:          Error,
}
