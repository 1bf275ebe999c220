package exec

import (
	"context"
	"io"
	"reflect"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/facts"
	"github.com/runbook-dev/runbook/modules/sm"
)

// Observer receives every event of a run, already redacted, in journal order.
// The CLI turns them into progress lines or `--json` output. Event is called
// from one goroutine at a time.
type Observer interface {
	Event(e record.Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(e record.Event)

// Event calls f.
func (f ObserverFunc) Event(e record.Event) { f(e) }

// Journal is the append-only, fsynced event log (record.Journal satisfies it).
type Journal interface {
	Append(e record.Event) error
}

// Recorder is the change record of the run (record.Recorder satisfies it):
// Emit journals and folds each event; Finish ends the run with its status
// (record.RunSucceeded …), writes record.json and record.md and closes the
// journal. record.Start has already emitted run_start.
type Recorder interface {
	Emit(e record.Event) error
	Finish(status, message string) error
}

// Clock tells the time; tests inject a fixed one for window and skew guards.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }

// Driver is the product the run upgrades, built once from the catalog and
// the command profile (engine/driver is the production one): every module,
// fact read, port and medium check of a run goes through it, so a run reads
// one profile, the one the plan was rendered with. Every method is
// read-only but Module's Run; none may keep state of a run.
type Driver interface {
	// Module returns the module a step names, nil when none.
	Module(name string) modules.Module
	// Gather reads a node's facts over conn.
	Gather(ctx context.Context, conn modules.Conn, kind string) (facts.Facts, error)
	// PortReachable reports whether the node behind conn reaches host:port
	// over TCP; a non-zero exit is false, a transport failure an error.
	PortReachable(ctx context.Context, conn modules.Conn, kind, host string, port int) (bool, error)
	// ReadMedium reads an uploaded medium on the node behind conn: its
	// sha256 there and what it declares (kind, product, release, SSP level).
	ReadMedium(ctx context.Context, conn modules.Conn, kind, path string) (sm.Medium, error)
	// FirewallPorts is the catalog's port matrix. Its tcp rows from
	// session_manager to system_manager are checked from every SM/BSM to
	// System Manager's host (firewall.ports); empty: no check.
	FirewallPorts() []catalog.Port
}

// NodeContextFunc builds the evaluation context of a user guard for one node
// and its facts (eval.NodeContext in production).
type NodeContextFunc func(cfg *eval.Config, n *eval.Node, f *facts.Facts) (*hcl.EvalContext, error)

// Options configure an Executor. Only Dialer (unless Offline) and Driver
// are required.
type Options struct {
	Dialer modules.Dialer
	Driver Driver

	// DryRun gates every connection (modules/dryrun.Wrap, the only gate):
	// read-only commands pass, changes are recorded in DryRunRecorder (nil:
	// a recorder of the run's own) and never executed.
	DryRun         bool
	DryRunRecorder *dryrun.Recorder
	// Offline (with DryRun) opens no connection at all: facts are the
	// declared ones, guards that need a node read say "unknown", and each
	// step shows the commands its module would run.
	Offline bool

	// IgnoreWindow lets a real apply start outside the maintenance window
	// and skips the window.closed refusals: each is journalled as a warning
	// instead. Without it, a run outside the window touches no node.
	IgnoreWindow bool

	// Parallel bounds the core SMs out of service at once across the whole
	// manifest (the vendor's one at a time, relaxed); 0 takes
	// policy.parallel. Other work runs as the plan's dependencies allow.
	Parallel int
	// KeepGoing lets other clusters go on after one cluster failed.
	KeepGoing bool
	// Clusters limits the run to these clusters (empty: all). SMGR is "smgr".
	Clusters []string
	// Limit limits the run to the nodes named or matched (shell glob) here
	// (empty: all), within Clusters: Ansible's --limit.
	Limit []string

	Observer Observer
	// StepOutput, when set, receives the stdout of every command a user
	// step (a step block: shell, copy …) runs as it arrives, through the
	// writer it returns for the node and step; the run closes that writer
	// when the command ends. Planned phases and read-only commands are not
	// streamed. Redacting is the writer's job (the journal keeps only a
	// redacted tail).
	StepOutput func(node, step string) io.WriteCloser
	// Recorder, when set, receives every event and the run's end (the
	// production path); otherwise Journal, when set, receives every event.
	Recorder Recorder
	Journal  Journal
	Redactor *record.Redactor
	Clock    Clock

	// Resume holds the journal events of the run being resumed
	// (record.ReadJournal, torn last line dropped); the events of the whole
	// chain of unfinished runs, oldest first, are better still. Nothing in
	// them is trusted blindly: facts are read again and each completed
	// step's outcome is re-checked (see resume.go).
	Resume []record.Event

	NodeContext NodeContextFunc

	// ConnectionLost recognises a transport's "connection dropped" error
	// beyond those always recognised: ssh.ErrConnectionLost,
	// sm.ErrRebooting, *sm.TransportError, a ConnectionLost() bool method,
	// EOF and reset errors. Tests over sim.LocalConn pass sim's here.
	ConnectionLost func(error) bool

	// Limits carries the thresholds of the runtime guards and the timings of
	// polling and reconnection.
	Limits Limits
}

// Limits are the data behind the runtime guards and retry loops. Zero fields
// take the defaults of DefaultLimits.
type Limits struct {
	MaxClockSkew     time.Duration // time.skew; default 60s
	DiskMarginMB     int64         // disk.space margin over the media size; default 512
	BackupMinFreeMB  int64         // disk.space before a backup, on /var; default 1024
	DiskMounts       []string      // mounts checked before an upload; default /var, /opt
	ServicesTimeout  time.Duration // verify: how long services may take to come up; default 15m
	Poll             time.Duration // facts polling interval; default 2s
	ReconnectTries   int           // redials after a lost connection; default 10
	ReconnectInitial time.Duration // first backoff; default 1s
	ReconnectMax     time.Duration // backoff cap; default 30s
	CleanupTimeout   time.Duration // undrain and flush after an interrupt; default 2m
	// InterruptGrace is how long a node-changing step (installer, restore,
	// migration) already running may go on after the run was interrupted;
	// then it is stopped and its node is in unknown state. Default 10m.
	InterruptGrace time.Duration
	// UserStepTimeout bounds a user step (shell, copy …) that names no
	// timeout of its own. Default 1h.
	UserStepTimeout time.Duration
}

// DefaultLimits are the production thresholds.
var DefaultLimits = Limits{
	MaxClockSkew:     60 * time.Second,
	DiskMarginMB:     512,
	BackupMinFreeMB:  1024,
	DiskMounts:       []string{"/var", "/opt"},
	ServicesTimeout:  15 * time.Minute,
	Poll:             2 * time.Second,
	ReconnectTries:   10,
	ReconnectInitial: time.Second,
	ReconnectMax:     30 * time.Second,
	CleanupTimeout:   2 * time.Minute,
	InterruptGrace:   10 * time.Minute,
	UserStepTimeout:  time.Hour,
}

// withDefaults takes every field l sets (a positive number, a non-empty
// list) and DefaultLimits' value for the others. It walks the fields, so a
// new limit needs only its field and its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	lv, dv := reflect.ValueOf(l), reflect.ValueOf(&d).Elem()
	for i := range lv.NumField() {
		f := lv.Field(i)
		var set bool
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			set = f.Int() > 0
		case reflect.Slice:
			set = f.Len() > 0
		default:
			set = !f.IsZero()
		}
		if set {
			dv.Field(i).Set(f)
		}
	}
	if l.InterruptGrace > 0 {
		d.InterruptGrace = l.InterruptGrace
	}
	if l.UserStepTimeout > 0 {
		d.UserStepTimeout = l.UserStepTimeout
	}
	return d
}

// selects reports whether a node is inside the run's selection: its
// cluster in Clusters (when given) and its name in Limit (when given).
func (o Options) selects(cluster, node string) bool {
	return (len(o.Clusters) == 0 || slices.Contains(o.Clusters, cluster)) && eval.LimitMatches(o.Limit, node)
}
