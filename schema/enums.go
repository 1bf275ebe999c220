package schema

import "github.com/runbook-dev/runbook/internal/rollout"

// Enumerations of the manifest language. The evaluator checks attribute
// values against them and suggests the nearest one when a value is wrong.
var (
	// Phases are the phase names a step (before/after), a guard or a lab
	// fault may name, in the order a hop goes through them (the phase table
	// of internal/rollout).
	Phases = rollout.PhaseNames()

	GeoRoles       = []string{"primary", "secondary"}
	Platforms      = []string{"vmware", "kvm", "appliance", "avp", "asp130", "aws", "gcp", "azure", "software_only"}
	OnFailure      = []string{"halt", "rollback"}
	Methods        = []string{"backup_restore", "data_migration"}
	HostKeyChecks  = []string{"strict", "accept-new"}
	ArtifactKinds  = []string{"release", "ssp"}
	Products       = rollout.Products()
	UDSBackupState = []string{"ok", "failed", "not_configured"}
)
