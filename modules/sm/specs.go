package sm

import "github.com/runbook-dev/runbook/modules"

// The Specs of the sm.* modules. A step block gives them no arguments: the
// planner fills Task.Args of a planned phase (media, backup archive, drain
// limits), and the engine fills those a user step running one of them needs.
var (
	FactsSpec    = modules.Spec{Name: "sm.facts", Doc: "reads the node's facts (release, services, calls), read-only"}
	PrecheckSpec = modules.Spec{Name: "sm.precheck", Doc: "reads facts and checks the node is fit for the hop"}
	BackupSpec   = modules.Spec{Name: "sm.backup", Doc: "takes a backup on the node and pulls it to the controller"}
	UploadSpec   = modules.Spec{Name: "sm.upload", Doc: "uploads the hop's media to the node, sha256-checked"}
	DrainSpec    = modules.Spec{Name: "sm.drain", Doc: "denies new service and waits for active calls to end"}
	SSPSpec      = modules.Spec{Name: "sm.ssp", Doc: "installs a service pack (may reboot the node)"}
	UpgradeSpec  = modules.Spec{Name: "sm.upgrade", Doc: "upgrades the node to the hop's release (may reboot the node)"}
	MigrateSpec  = modules.Spec{Name: "sm.migrate", Doc: "migrates the node's data after a cross-line upgrade"}
	RestoreSpec  = modules.Spec{Name: "sm.restore", Doc: "restores the node from its backup"}
	VerifySpec   = modules.Spec{Name: "sm.verify", Doc: "checks the node runs the expected release with its services up"}
	UndrainSpec  = modules.Spec{Name: "sm.undrain", Doc: "accepts new service again"}

	ReplicationOffSpec = modules.Spec{Name: "sm.replication_off", Doc: "disables the data replication of a geo-redundant System Manager pair"}
	ReplicationOnSpec  = modules.Spec{Name: "sm.replication_on", Doc: "re-enables the data replication of a geo-redundant System Manager pair"}
)
