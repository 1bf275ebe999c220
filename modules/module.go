// Package modules holds the small interfaces every executor of a step shares: a
// connection to a node (Conn), the commands sent through it (Command, Result) and
// the modules that turn a planned step into commands (Module).
//
// modules never imports engine: the engine drives modules through these
// interfaces, so a module can be tested against the simulator alone.
package modules

import (
	"context"
	"io"
	"time"
)

// Command is one command line sent to a node. Every command passes through a
// Conn, and the Conn is the single gate that decides whether it may run: a
// command not explicitly marked ReadOnly counts as a change and never runs under
// dry-run.
type Command struct {
	// Line is the full shell command line. Every interpolated value in it must
	// already be quoted (see Quote).
	Line string
	// ReadOnly marks commands that do not change the node (facts, status reads).
	ReadOnly bool
	// Stdin, when set, is streamed to the command.
	Stdin io.Reader
	// Timeout bounds the command; zero means the context alone bounds it.
	Timeout time.Duration
	// Output, when set, receives stdout as it arrives (live progress).
	Output io.Writer
}

// Result is what a command left behind.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	Duration time.Duration
	// Skipped is true when a dry-run gate recorded the command instead of running it.
	Skipped bool
	// NotExecuted is true when a simulated node (the lab) does not model the
	// command and so ran it nowhere: it would otherwise have run on the
	// controller. ExitCode and Stderr then say so too, for modules that do
	// not look at this field.
	NotExecuted bool
}

// Conn is one connection to one node, reused for every command sent to it.
type Conn interface {
	// Run executes one command in a new session and waits for it. A non-zero exit
	// status is reported in Result.ExitCode with a nil error; err is for transport
	// failures (connection dropped, context cancelled).
	Run(ctx context.Context, c Command) (Result, error)
	// Upload copies a local file to the node and returns the sha256 (hex) that
	// both ends computed; a mismatch between the ends is an error.
	Upload(ctx context.Context, local, remote string) (string, error)
	// Download copies a file from the node and returns the sha256 (hex) that
	// both ends computed; a mismatch between the ends is an error.
	Download(ctx context.Context, remote, local string) (string, error)
	// Close releases the connection.
	Close() error
}

// Dialer opens a Conn to a node. The engine redials through it after a node
// reboots.
type Dialer interface {
	Dial(ctx context.Context, target Target) (Conn, error)
}

// Target names where and how to reach one node. Secrets are carried here and
// nowhere else; they are never printed.
type Target struct {
	Node           string
	Host           string
	Port           int
	User           string
	PrivateKeyFile string
	Password       string
	KnownHostsFile string
	HostKeyCheck   string // strict | accept-new
	Jump           string // user@host:port of a bastion, optional
	Timeout        time.Duration
}

// Task is one planned step as a module sees it: which node, which hop, which
// phase, and the module's arguments (already evaluated, already strings).
type Task struct {
	Node    string // node name
	Kind    string // session_manager | branch_session_manager | system_manager
	Phase   string
	From    string // release before the hop
	To      string // release after the hop (equal to From for an SSP pass)
	Args    map[string]string
	Timeout time.Duration
}

// Outcome is what a module reports back: values later steps need (a backup's
// local archive path and sha256, say) and a one-line summary for the record.
type Outcome struct {
	Values  map[string]string
	Summary string
}

// Module executes one kind of step over a Conn.
type Module interface {
	// Name is the module id used in manifests and plans ("sm.backup", "shell").
	Name() string
	// Commands lists the command lines the task will run, for plan and dry-run
	// output. It must not touch any connection.
	Commands(t Task) ([]string, error)
	// Run executes the task. Every command goes through conn.
	Run(ctx context.Context, conn Conn, t Task) (Outcome, error)
}
