// Package sm holds the Session Manager actions (facts, backup, ssp, upgrade,
// restore, migrate, drain, undrain, verify) as modules.Module values. What
// command each action runs and how its output is read is the command profile,
// data in schema/, never a string in Go code.
package sm

import "time"

// Facts is what is read from a node without changing it.
type Facts struct {
	Release      string            `json:"release"`
	SSP          int               `json:"ssp"`           // -1 when unknown
	ServiceState string            `json:"service_state"` // accepting | denying
	ActiveCalls  int               `json:"active_calls"`
	Services     map[string]string `json:"services"`     // name -> up | down
	DiskFreeMB   map[string]int64  `json:"disk_free_mb"` // mount (/var, /opt, /swlibrary) -> MiB free
	Clock        time.Time         `json:"clock"`
	UDSBackup    string            `json:"uds_backup"` // ok | failed | not_configured ("" on SMGR)
	Users        int               `json:"users"`
	DataDigest   string            `json:"data_digest"`
}

// Service states.
const (
	StateAccepting = "accepting"
	StateDenying   = "denying"
)

// AllServicesUp reports whether every service reads "up" (and there is at least one).
func (f Facts) AllServicesUp() bool {
	if len(f.Services) == 0 {
		return false
	}
	for _, s := range f.Services {
		if s != "up" {
			return false
		}
	}
	return true
}
