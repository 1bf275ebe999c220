package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/runbook-dev/runbook/internal/rollout"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Node kinds, as the manifest names them (internal/rollout's table). They are
// plain strings here: the simulator's state and options, like a module's
// task, carry a kind as the string the manifest spells.
const (
	KindSM    = string(rollout.KindSM)
	KindBSM   = string(rollout.KindBSM)
	KindSMGR  = string(rollout.KindSMGR)
	stateFile = "state.json"
	lockFile  = "state.lock"
)

// State is the persisted model of one node. Times are wall-clock instants so
// that processes started one after the other (one per SSH command) agree on
// how far a drain or a boot has gone.
type State struct {
	Node     string `json:"node"`
	Kind     string `json:"kind"`
	Release  string `json:"release"`
	SSP      int    `json:"ssp"`
	Platform string `json:"platform"`

	// ServiceState is accepting or denying.
	ServiceState string `json:"service_state"`
	// Calls is the active call count while accepting (calls do not end then);
	// while denying, CallsAtDeny calls fall linearly to 0 from DenyAt over DrainFor.
	Calls       int           `json:"calls"`
	CallsAtDeny int           `json:"calls_at_deny,omitempty"`
	DenyAt      time.Time     `json:"deny_at,omitempty"`
	DrainFor    time.Duration `json:"drain_for,omitempty"`
	// DroppedCalls counts calls cut by a reboot while still active.
	DroppedCalls int `json:"dropped_calls"`

	DiskFreeMB map[string]int64 `json:"disk_free_mb"`
	ClockSkew  time.Duration    `json:"clock_skew"`
	UDSBackup  string           `json:"uds_backup"`
	// BootUntil is when services come up after the last reboot.
	BootUntil time.Time `json:"boot_until,omitempty"`
	Reboots   int       `json:"reboots"`
	// PasswordExpired makes every command answer with the forced-change notice.
	PasswordExpired bool `json:"password_expired,omitempty"`
	// BlockedPorts are the ports a firewall blocks between this node and
	// System Manager: `nc -z` reports them unreachable, every other port
	// reachable (no connection is ever opened).
	BlockedPorts []int `json:"blocked_ports,omitempty"`
	// ReplicationOff is set while a System Manager's geo-redundant data
	// replication is disabled (smcli replication disable).
	ReplicationOff bool `json:"replication_off,omitempty"`

	Faults  map[string]Fault `json:"faults,omitempty"`
	Backups []Backup         `json:"backups,omitempty"`
	History []Event          `json:"history,omitempty"`
}

// Fault makes one phase misbehave: fail, disconnect, hang or slow. Remaining
// counts how many more times it fires; 0 means every time.
type Fault struct {
	Kind      string `json:"kind"`
	Remaining int    `json:"remaining"`
}

// Backup is one archive backupSM left on the node.
type Backup struct {
	Path    string    `json:"path"`
	SHA256  string    `json:"sha256"`
	Release string    `json:"release"`
	Time    time.Time `json:"time"`
}

// Event is one changing command in the node's history, so tests can assert,
// say, that no node was upgraded twice.
type Event struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"` // backup, ssp, upgrade, restore, migrate, deny, accept, replication_off, replication_on, reboot, fault
	Command string    `json:"command"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// Phases a fault can be set on, and fault kinds.
var (
	Phases     = []string{"precheck", "backup", "replication_off", "ssp", "drain", "upgrade", "migrate", "restore", "verify", "undrain", "replication_on"}
	FaultKinds = []string{"fail", "disconnect", "hang", "slow"}
)

// ErrNoState means the directory holds no initialised node.
var ErrNoState = errors.New("no simulated node here (run smsim init first)")

// product is the media/backup product of a kind: SM and BSM share one.
func product(kind string) string { return rollout.Kind(kind).Spec().Product }

// Services lists the service names statapp reports for a kind.
func Services(kind string) []string {
	if kind == KindSMGR {
		return []string{"JBoss", "Postgres", "Alarming", "DataReplication"}
	}
	return []string{"Asset", "Cassandra", "CallProcessing", "DataReplication", "SecurityModule", "Watchdog"}
}

// Load reads the state of the node in dir.
func Load(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoState)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: corrupt state: %w", dir, err)
	}
	return &s, nil
}

// Save writes the state atomically (temp file + rename).
func (s *State) Save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, stateFile))
}

// lock takes an exclusive flock on the node so that a read-modify-write of
// the state by one session is not interleaved with another's.
func lock(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// exists reports ErrNoState when dir holds no node.
func exists(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("%s: %w", dir, ErrNoState)
	}
	return nil
}

// Update loads the state under the node lock, applies fn and saves the result
// when fn returns nil.
func Update(dir string, fn func(*State) error) error {
	return locked(dir, func(s *State) error {
		if err := fn(s); err != nil {
			return err
		}
		return s.Save(dir)
	})
}

// locked loads the state of the node in dir and applies fn to it, both
// under the node lock, so that fn sees no other process's half-done change.
func locked(dir string, fn func(*State) error) error {
	if err := exists(dir); err != nil {
		return err
	}
	unlock, err := lock(dir)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := Load(dir)
	if err != nil {
		return err
	}
	return fn(s)
}

// record appends a history event.
func (s *State) record(now time.Time, action, command, from, to, detail string) {
	s.History = append(s.History, Event{Time: now.UTC(), Action: action, Command: command, From: from, To: to, Detail: detail})
}

// activeCalls is the call count at now: constant while accepting, falling
// linearly to 0 over DrainFor after Deny New Service.
func (s *State) activeCalls(now time.Time) int {
	if s.ServiceState != "denying" || s.CallsAtDeny == 0 {
		if s.ServiceState == "denying" {
			return 0
		}
		return s.Calls
	}
	el := now.Sub(s.DenyAt)
	if el >= s.DrainFor || s.DrainFor <= 0 {
		return 0
	}
	left := float64(s.CallsAtDeny) * (1 - float64(el)/float64(s.DrainFor))
	n := int(left)
	if float64(n) < left {
		n++
	}
	return n
}

// serviceStatus is the up/down status of every service at now: all down
// while the node boots, then up.
func (s *State) serviceStatus(now time.Time) map[string]string {
	out := map[string]string{}
	booting := now.Before(s.BootUntil)
	for i, name := range Services(s.Kind) {
		st := "up"
		// While booting, the later services in the boot order are still down.
		if booting && i >= 1 {
			st = "down"
		}
		out[name] = st
	}
	return out
}
