package sim

// Snapshot is the node as `smsim show` prints it: the state with the values
// that depend on time (active calls, services) computed now.
type Snapshot struct {
	Node         string            `json:"node"`
	Kind         string            `json:"kind"`
	Release      string            `json:"release"`
	SSP          int               `json:"ssp"`
	Platform     string            `json:"platform"`
	ServiceState string            `json:"service_state"`
	ActiveCalls  int               `json:"active_calls"`
	DroppedCalls int               `json:"dropped_calls"`
	Users        int               `json:"users"`
	DataDigest   string            `json:"data_digest"`
	Services     map[string]string `json:"services"`
	DiskFreeMB   map[string]int64  `json:"disk_free_mb"`
	ClockSkew    string            `json:"clock_skew"`
	UDSBackup    string            `json:"uds_backup"`
	Reboots      int               `json:"reboots"`
	BlockedPorts []int             `json:"blocked_ports,omitempty"`
	// ReplicationOff is set while a System Manager's geo-redundant
	// replication is disabled.
	ReplicationOff bool             `json:"replication_off,omitempty"`
	Faults         map[string]Fault `json:"faults,omitempty"`
	Backups        []Backup         `json:"backups"`
	History        []Event          `json:"history"`
}

// Show reads the node in dir.
func Show(dir string) (Snapshot, error) {
	var snap Snapshot
	err := locked(dir, func(st *State) error {
		digest, err := Digest(dir)
		if err != nil {
			return err
		}
		t := now()
		snap = Snapshot{
			Node: st.Node, Kind: st.Kind, Release: st.Release, SSP: st.SSP, Platform: st.Platform,
			ServiceState: st.ServiceState, ActiveCalls: st.activeCalls(t), DroppedCalls: st.DroppedCalls,
			Users: Users(dir), DataDigest: digest, Services: st.serviceStatus(t), DiskFreeMB: st.DiskFreeMB,
			ClockSkew: st.ClockSkew.String(), UDSBackup: st.UDSBackup, Reboots: st.Reboots, BlockedPorts: st.BlockedPorts,
			ReplicationOff: st.ReplicationOff, Faults: st.Faults, Backups: st.Backups, History: st.History,
		}
		return nil
	})
	if err != nil {
		return Snapshot{}, err
	}
	if snap.Backups == nil {
		snap.Backups = []Backup{}
	}
	if snap.History == nil {
		snap.History = []Event{}
	}
	return snap, nil
}

// Count returns how many history events of an action the node recorded
// (how many times it was upgraded, say).
func (s Snapshot) Count(action string) int {
	n := 0
	for _, e := range s.History {
		if e.Action == action {
			n++
		}
	}
	return n
}
