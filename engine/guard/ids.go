// Package guard is the one registry of guard rules (the README's guard
// table): their ids, severities, when they are judged and which phase they
// protect (registry.go). The ids are a contract with users (they appear in
// diagnostics, plan documents and change records), so they are spelled here
// once and every producer uses these constants.
package guard

// Static (plan-time) rule ids.
const (
	PathUnsupported  = "path.unsupported"
	PathDowngrade    = "path.downgrade"
	PathMultiHop     = "path.multi_hop"
	SourceNotLatest  = "source.not_latest"
	SSPRequired      = "ssp.required"
	PlatformAVP      = "platform.avp"
	PlatformAWS      = "platform.aws"
	ClusterReleases  = "cluster.releases"
	ClusterUDSSplit  = "cluster.uds_split"
	ClusterSecondary = "cluster.secondary"
	ClusterSize      = "cluster.size"
	OrderSMGRFirst   = "order.smgr_first"
	BSMAboveCore     = "bsm.above_core"
	WindowTooShort   = "window.too_short"
	ArtifactMissing  = "artifact.missing"
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
	// OutOfService (apply): the one-node-out rule re-checked by the walker
	// before it lets a node deny new service.
	OutOfService = "cluster.out_of_service"
)

