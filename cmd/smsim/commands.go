package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func cmdInit(s stdio, args []string) (int, error) {
	fs := flags(s, "init")
	var o sim.Options
	var state, skew, blocked string
	fs.StringVar(&state, "state", "", "state directory of the node")
	fs.StringVar(&o.Node, "node", "", "node name (default: the state directory's name)")
	fs.StringVar(&o.Kind, "kind", "", "session_manager | branch_session_manager | system_manager")
	fs.StringVar(&o.Release, "release", "", "installed release, A.B.C.D")
	fs.IntVar(&o.SSP, "ssp", 0, "installed SSP level")
	fs.StringVar(&o.Platform, "platform", "vmware", "platform")
	fs.IntVar(&o.Users, "users", 100, "users in the node's data")
	fs.IntVar(&o.ActiveCalls, "active-calls", 0, "active calls (they end over time after Deny New Service)")
	fs.Int64Var(&o.DiskFreeMB, "disk-free-mb", 20480, "free MiB on every mount")
	fs.StringVar(&skew, "clock-skew", "0s", "node clock minus real time (Go duration)")
	fs.StringVar(&o.UDSBackup, "uds-backup", "", "ok | failed | not_configured (default ok; none on SMGR)")
	fs.BoolVar(&o.PasswordExpired, "password-expired", false, "the CLI account must change its password")
	fs.StringVar(&blocked, "blocked-ports", "", "ports nc -z reports unreachable, e.g. 5061,443 (firewall.ports)")
	if err := parse(fs, args, map[string]*string{"state": &state, "kind": &o.Kind, "release": &o.Release}); err != nil {
		return 2, err
	}
	d, err := time.ParseDuration(skew)
	if err != nil {
		return 2, usageError{fmt.Sprintf("--clock-skew %q: %v", skew, err)}
	}
	o.ClockSkew = d
	if o.BlockedPorts, err = portList(blocked); err != nil {
		return 2, usageError{fmt.Sprintf("--blocked-ports %q: %v", blocked, err)}
	}
	if err := sim.Init(state, o); err != nil {
		return 2, usageError{err.Error()}
	}
	fmt.Fprintf(s.out, "initialised %s %s at %s\n", o.Kind, o.Release, state)
	return 0, nil
}

// portList reads a comma-separated list of ports ("" is none).
func portList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := strconv.Atoi(f)
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("%q is not a port (1 to 65535)", f)
		}
		out = append(out, p)
	}
	return out, nil
}

// sftpNames are what SSH_ORIGINAL_COMMAND holds for an SFTP subsystem request.
func isSFTP(cmd string) bool {
	cmd = strings.TrimSpace(cmd)
	return cmd == "sftp" || cmd == "internal-sftp" || strings.HasSuffix(strings.Fields(cmd + " x")[0], "sftp-server")
}

// cmdServe is the ForceCommand entry: one SSH session, one command.
func cmdServe(s stdio, args []string) (int, error) {
	fs := flags(s, "serve")
	var state string
	scale := fs.Float64("time-scale", 1, "multiply simulated durations")
	fs.StringVar(&state, "state", "", "state directory of the node")
	if err := parse(fs, args, map[string]*string{"state": &state}); err != nil {
		return 2, err
	}
	if *scale <= 0 {
		return 2, usageError{"--time-scale must be positive"}
	}
	cmd := s.getenv("SSH_ORIGINAL_COMMAND")
	if cmd == "" {
		fmt.Fprintln(s.err, "This simulated Session Manager offers no interactive shell; run a command.")
		return 1, nil
	}
	if isSFTP(cmd) {
		if _, err := sim.Load(state); err != nil {
			return 1, err
		}
		return 0, sim.ServeSFTP(state, stdioRWC{s})
	}
	ctx, cancel := sim.ParentContext(context.Background())
	defer cancel()
	// Behind sshd the host is the node: a command the simulator does not
	// model runs here, as on a real node. This is the only host that opts in.
	return sim.Exec(ctx, state, cmd, s.in, s.out, s.err, sim.Env{TimeScale: *scale, Reboot: sim.SSHDReboot(), RealShell: true}), nil
}

// cmdExec runs one command line against a node without SSH (debugging,
// scripts). It runs on the controller, so a line the simulator does not
// model is reported as not executed, never run.
func cmdExec(s stdio, args []string) (int, error) {
	fs := flags(s, "exec")
	var state string
	scale := fs.Float64("time-scale", 1, "multiply simulated durations")
	fs.StringVar(&state, "state", "", "state directory of the node")
	if err := fs.Parse(args); err != nil {
		return 2, usageError{err.Error()}
	}
	if state == "" || fs.NArg() == 0 {
		return 2, usageError{"--state DIR and a command line are required"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	line := strings.Join(fs.Args(), " ")
	return sim.Exec(ctx, state, line, s.in, s.out, s.err, sim.Env{TimeScale: *scale, Reboot: func() {
		fmt.Fprintln(s.err, "smsim: the node rebooted (the connection would drop here)")
	}}), nil
}

func cmdShow(s stdio, args []string) (int, error) {
	fs := flags(s, "show")
	var state string
	fs.StringVar(&state, "state", "", "state directory of the node")
	if err := parse(fs, args, map[string]*string{"state": &state}); err != nil {
		return 2, err
	}
	snap, err := sim.Show(state)
	if err != nil {
		return 1, err
	}
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	return 0, enc.Encode(snap)
}

func cmdFault(s stdio, args []string) (int, error) {
	fs := flags(s, "fault")
	var state, phase, kind string
	fs.StringVar(&state, "state", "", "state directory of the node")
	fs.StringVar(&phase, "phase", "", strings.Join(sim.Phases, " | "))
	fs.StringVar(&kind, "kind", "", strings.Join(sim.FaultKinds, " | "))
	count := fs.Int("count", 1, "times the fault fires (0: every time)")
	clear := fs.Bool("clear", false, "disarm the fault on --phase (every fault without --phase)")
	if err := parse(fs, args, map[string]*string{"state": &state}); err != nil {
		return 2, err
	}
	if *clear {
		return 0, sim.ClearFault(state, phase)
	}
	if phase == "" || kind == "" {
		return 2, usageError{"--phase and --kind are required"}
	}
	if err := sim.SetFault(state, phase, kind, *count); err != nil {
		if strings.Contains(err.Error(), "unknown") || strings.Contains(err.Error(), "negative") {
			return 2, usageError{err.Error()}
		}
		return 1, err
	}
	return 0, nil
}

func cmdMedia(s stdio, args []string) (int, error) {
	fs := flags(s, "media")
	var m sim.Media
	var out string
	fs.StringVar(&m.Kind, "kind", "", "release | ssp")
	fs.StringVar(&m.Release, "release", "", "release installed (release) or patched (ssp)")
	fs.IntVar(&m.SSP, "ssp", 0, "SSP level (default: the catalog's latest for the release)")
	fs.StringVar(&m.Product, "product", rollout.ProductSM, strings.Join(rollout.Products(), " | "))
	fs.StringVar(&out, "out", "", "file to write")
	if err := parse(fs, args, map[string]*string{"kind": &m.Kind, "release": &m.Release, "out": &out}); err != nil {
		return 2, err
	}
	if m.Kind == "ssp" && m.SSP == 0 {
		lvl, ok := catalog.Default().LatestSSP(m.Product, m.Release)
		if !ok {
			return 2, usageError{fmt.Sprintf("the catalog knows no SSP for %s %s; give --ssp", m.Product, m.Release)}
		}
		m.SSP = lvl
	}
	if err := m.Validate(); err != nil {
		return 2, usageError{err.Error()}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return 1, err
	}
	sum, err := sim.WriteMedia(out, m)
	if err != nil {
		return 1, err
	}
	fmt.Fprintf(s.out, "%s  %s\n", sum, out)
	return 0, nil
}

// stdioRWC joins the process's stdin and stdout for the SFTP server.
type stdioRWC struct{ s stdio }

func (r stdioRWC) Read(p []byte) (int, error)  { return r.s.in.Read(p) }
func (r stdioRWC) Write(p []byte) (int, error) { return r.s.out.Write(p) }
func (r stdioRWC) Close() error                { return nil }
