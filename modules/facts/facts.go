// Package facts is what a node reports about itself without being changed:
// release, SSP, service state, calls, services, disks, clock. It is the one
// type the planner (plan --refresh), the executor, the change record and the
// progress view share, so none of them depends on the product's modules,
// which only produce it.
package facts

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Facts is what is read from a node without changing it. Its JSON form is
// the facts_before/facts_after of a change record and the facts of a
// journal's facts events: a contract.
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

// From reads the facts a journal event carries: Facts or *Facts as the
// executor emits them, or the generic JSON value a journal read back holds.
// It returns nil when v is nil or not facts.
func From(v any) *Facts {
	switch f := v.(type) {
	case nil:
		return nil
	case *Facts:
		return f
	case Facts:
		return &f
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var f Facts
	if json.Unmarshal(b, &f) != nil {
		return nil
	}
	return &f
}

// Values flattens facts into a module's Outcome.Values (disk as
// disk_free_mb./var, services as service.NAME).
func (f Facts) Values() map[string]string {
	v := map[string]string{
		"release": f.Release, "ssp": strconv.Itoa(f.SSP), "service_state": f.ServiceState,
		"active_calls": strconv.Itoa(f.ActiveCalls), "uds_backup": f.UDSBackup,
		"users": strconv.Itoa(f.Users), "data_digest": f.DataDigest,
	}
	if !f.Clock.IsZero() {
		v["clock"] = f.Clock.UTC().Format(time.RFC3339)
	}
	for m, n := range f.DiskFreeMB {
		v["disk_free_mb."+m] = strconv.FormatInt(n, 10)
	}
	for s, st := range f.Services {
		v["service."+s] = st
	}
	return v
}

// DownServices lists the services not up, sorted.
func (f Facts) DownServices() []string {
	var out []string
	for _, s := range slices.Sorted(maps.Keys(f.Services)) {
		if f.Services[s] != "up" {
			out = append(out, s)
		}
	}
	return out
}
