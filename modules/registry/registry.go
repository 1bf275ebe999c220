// Package registry is the one list of the modules a step may name: each
// module's Spec (declared by its own package) and how to build it for a run.
//
// The list is explicit, in this one file, rather than filled by init-time
// Register calls from each module package: an init registration only happens
// when something imports the package for its side effect, so the list would
// be spread over blank imports and its order would follow package
// initialisation. Here, adding a module is one line, the order is the order
// the documentation uses, and a test checks every entry against its module.
//
// registry is not part of any module package: modules/sm is one module
// package among others and imports none of the generic ones.
package registry

import (
	"github.com/runbook-dev/runbook/modules"
	filecopy "github.com/runbook-dev/runbook/modules/copy"
	"github.com/runbook-dev/runbook/modules/httpcheck"
	"github.com/runbook-dev/runbook/modules/shell"
	"github.com/runbook-dev/runbook/modules/sm"
	"github.com/runbook-dev/runbook/modules/wait"
)

// Entry is one module: its Spec, and New, which builds it bound to the
// command profile of the run (only the sm.* modules read it).
type Entry struct {
	Spec modules.Spec
	New  func(p *sm.Profile) modules.Module
}

// Entries lists every module, generic ones first.
func Entries() []Entry {
	return []Entry{
		{shell.Spec, func(*sm.Profile) modules.Module { return shell.Module{} }},
		{filecopy.Spec, func(*sm.Profile) modules.Module { return filecopy.Module{} }},
		{wait.Spec, func(*sm.Profile) modules.Module { return wait.Module{} }},
		{wait.PauseSpec, func(*sm.Profile) modules.Module { return wait.Pause{} }},
		{httpcheck.Spec, func(*sm.Profile) modules.Module { return httpcheck.Module{} }},
		{sm.FactsSpec, func(p *sm.Profile) modules.Module { return sm.FactsModule{P: p} }},
		{sm.PrecheckSpec, func(p *sm.Profile) modules.Module { return sm.Precheck{P: p} }},
		{sm.BackupSpec, func(p *sm.Profile) modules.Module { return sm.Backup{P: p} }},
		{sm.UploadSpec, func(p *sm.Profile) modules.Module { return sm.Upload{P: p} }},
		{sm.DrainSpec, func(p *sm.Profile) modules.Module { return sm.Drain{P: p} }},
		{sm.SSPSpec, func(p *sm.Profile) modules.Module { return sm.SSP{P: p} }},
		{sm.UpgradeSpec, func(p *sm.Profile) modules.Module { return sm.Upgrade{P: p} }},
		{sm.MigrateSpec, func(p *sm.Profile) modules.Module { return sm.NewMigrate(p) }},
		{sm.RestoreSpec, func(p *sm.Profile) modules.Module { return sm.NewRestore(p) }},
		{sm.VerifySpec, func(p *sm.Profile) modules.Module { return sm.Verify{P: p} }},
		{sm.UndrainSpec, func(p *sm.Profile) modules.Module { return sm.Undrain{P: p} }},
		{sm.ReplicationOffSpec, func(p *sm.Profile) modules.Module { return sm.Replication{P: p} }},
		{sm.ReplicationOnSpec, func(p *sm.Profile) modules.Module { return sm.Replication{P: p, On: true} }},
	}
}

// Spec returns the Spec of the module of that name.
func Spec(name string) (modules.Spec, bool) {
	for _, e := range Entries() {
		if e.Spec.Name == name {
			return e.Spec, true
		}
	}
	return modules.Spec{}, false
}

// Names lists every module name, in the order of Entries.
func Names() []string {
	var out []string
	for _, e := range Entries() {
		out = append(out, e.Spec.Name)
	}
	return out
}

// Modules builds every module bound to profile p, by name.
func Modules(p *sm.Profile) map[string]modules.Module {
	out := make(map[string]modules.Module)
	for _, e := range Entries() {
		out[e.Spec.Name] = e.New(p)
	}
	return out
}
