// Command benchssh measures runbook apply against the least any tool can
// do over SSH. For each fleet size it starts that many OpenSSH daemons on
// 127.0.0.1, each with the simulator (smsim serve) as ForceCommand, every
// node a Session Manager (after the 28th, a Branch Session Manager) already
// on the target release in its own cluster, and a manifest of user shell steps on every node. It then runs,
// alternately, cmd/sshlimit (one connection per host, one session per
// command, all hosts in parallel) and each runbook binary's apply of that
// manifest, and prints the median wall time, CPU time and peak RSS of each,
// and their ratios to the limit.
//
//	go run ./cmd/benchssh -n 5,20 -runs 5
//	go run ./cmd/benchssh -runbook base=/tmp/runbook-base,new=bin/runbook
//
// It needs /usr/sbin/sshd (Debian's openssh-server). Nothing leaves
// 127.0.0.1.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/sm/sim"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

const target = "10.2.0.1"

// maxSMs is the catalog's limit of core Session Managers in one manifest.
const maxSMs = 28

func main() {
	sizes := flag.String("n", "5,20", "fleet sizes (nodes), comma-separated")
	runs := flag.Int("runs", 5, "runs of each tool per size")
	steps := flag.Int("steps", 10, "user shell steps per node")
	runbooks := flag.String("runbook", "", "runbook binaries to measure, LABEL=PATH,... (default: build ./cmd/runbook)")
	smsim := flag.String("smsim", "", "smsim binary (default: build ./cmd/smsim)")
	limit := flag.String("limit", "", "sshlimit binary (default: build ./cmd/sshlimit)")
	keep := flag.Bool("keep", false, "keep the records of the last size's runs (the folder is printed) instead of removing them")
	flag.Parse()

	h, err := newHost()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchssh:", err)
		os.Exit(1)
	}
	defer h.close()
	bin := filepath.Join(h.root, "bin")
	if *smsim == "" {
		*smsim = build(h, bin, "smsim")
	}
	if *limit == "" {
		*limit = build(h, bin, "sshlimit")
	}
	tools := []tool{{label: "limit"}}
	if *runbooks == "" {
		tools = append(tools, tool{label: "runbook", path: build(h, bin, "runbook")})
	} else {
		for _, kv := range strings.Split(*runbooks, ",") {
			label, path, ok := strings.Cut(kv, "=")
			if !ok {
				label, path = filepath.Base(kv), kv
			}
			tools = append(tools, tool{label: label, path: abs(h, path)})
		}
	}
	*smsim, *limit = abs(h, *smsim), abs(h, *limit)
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			h.Fatalf("benchssh: bad size %q", s)
		}
		f := startFleet(h, *smsim, n, *steps)
		ms := make([][]sample, len(tools))
		for r := 0; r < *runs; r++ {
			for i, t := range tools {
				ms[i] = append(ms[i], f.run(h, t, *limit, r))
			}
		}
		report(n, *steps, *runs, tools, ms)
		f.stop()
		if *keep {
			h.keep = f.dir
		}
	}
}

type tool struct{ label, path string } // path "" is the limit

type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
}

func abs(h *host, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		h.Fatalf("benchssh: %v", err)
	}
	return a
}

func build(h *host, dir, name string) string {
	out := filepath.Join(dir, name)
	if b, err := exec.Command("go", "build", "-o", out, "./cmd/"+name).CombinedOutput(); err != nil {
		h.Fatalf("benchssh: go build ./cmd/%s: %v\n%s", name, err, b)
	}
	return out
}

// fleet is one size's running daemons and the files that reach them.
type fleet struct {
	dir, manifest, key, known, cmds, user string
	addrs                                 []string
	servers                               []*sshdtest.Server
}

func startFleet(h *host, smsim string, n, steps int) *fleet {
	f := &fleet{dir: h.TempDir()}
	f.manifest = filepath.Join(f.dir, "manifest")
	f.key, f.known, f.cmds = filepath.Join(f.dir, "id_ed25519"), filepath.Join(f.dir, "known_hosts"), filepath.Join(f.dir, "commands")
	if err := os.MkdirAll(f.manifest, 0o700); err != nil {
		h.Fatalf("benchssh: %v", err)
	}
	key, signer := sshdtest.NewKey(h)
	sshdtest.WritePrivateKey(h, f.key, key, "")
	var known []string
	var src strings.Builder
	for i := 0; i < n; i++ {
		// One System Manager manages at most 28 Session Managers: the
		// nodes after the 28th are Branch Session Managers.
		name, kind, block := fmt.Sprintf("sm%03d", i+1), sim.KindSM, "session_manager"
		if i >= maxSMs {
			name, kind, block = fmt.Sprintf("bsm%03d", i+1), sim.KindBSM, "branch_session_manager"
		}
		dir := filepath.Join(f.dir, "nodes", name)
		if err := sim.Init(dir, sim.Options{Node: name, Kind: kind, Release: target, SSP: 0, Users: 100}); err != nil {
			h.Fatalf("benchssh: %v", err)
		}
		s := sshdtest.Start(h, sshdtest.Options{
			ForceCommand:   fmt.Sprintf("exec %s serve --state %s --time-scale 0.01", smsim, dir),
			AuthorizedKeys: []gossh.PublicKey{signer.PublicKey()},
		})
		f.servers, f.user = append(f.servers, s), s.User
		f.addrs = append(f.addrs, s.Addr)
		known = append(known, s.KnownHostsLine())
		fmt.Fprintf(&src, "\ncluster \"c%03d\" {\n  %s %q {\n    host     = \"127.0.0.1\"\n    port     = %d\n    release  = %q\n    platform = \"vmware\"\n  }\n}\n",
			i+1, block, name, s.Port, target)
	}
	sshdtest.WriteKnownHosts(h, f.known, known...)
	var cmds strings.Builder
	for i := 0; i < steps; i++ {
		line := fmt.Sprintf("echo step-%02d", i+1)
		fmt.Fprintf(&src, "\nstep \"s%02d\" {\n  module  = \"shell\"\n  nodes   = [\"*\"]\n  command = %q\n}\n", i+1, line)
		cmds.WriteString(line + "\n")
	}
	head := fmt.Sprintf(manifestHead, target, f.user, f.key, f.known)
	if err := os.WriteFile(filepath.Join(f.manifest, "upgrade.hcl"), []byte(head+src.String()), 0o600); err != nil {
		h.Fatalf("benchssh: %v", err)
	}
	if err := os.WriteFile(f.cmds, []byte(cmds.String()), 0o600); err != nil {
		h.Fatalf("benchssh: %v", err)
	}
	return f
}

const manifestHead = `runbook "bench" {
  change_id = "BENCH1"
  target    = %q
}

connection "default" {
  user             = %q
  private_key_file = %q
  known_hosts_file = %q
  host_key_check   = "strict"
  timeout          = "10s"
}
`

func (f *fleet) stop() {
	for _, s := range f.servers {
		s.Stop()
	}
}

// run measures one run of a tool; a failed run ends the benchmark.
func (f *fleet) run(h *host, t tool, limit string, r int) sample {
	var cmd *exec.Cmd
	if t.path == "" {
		args := append([]string{"-user", f.user, "-key", f.key, "-known-hosts", f.known, "-commands", f.cmds}, f.addrs...)
		cmd = exec.Command(limit, args...)
	} else {
		records := filepath.Join(f.dir, fmt.Sprintf("records-%s-%d", t.label, r))
		// Every cluster at once, as the limit runs every host at once.
		cmd = exec.Command(t.path, "apply", "--no-color", "--auto-approve", "--parallel", strconv.Itoa(len(f.addrs)), "--records", records, f.manifest)
	}
	cmd.Dir = f.dir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		h.Fatalf("benchssh: %s: %v\n%s", t.label, err, tailOf(string(out), 3000))
	}
	ps := cmd.ProcessState
	s := sample{wall: wall, cpu: ps.UserTime() + ps.SystemTime()}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		s.rssKiB = ru.Maxrss
	}
	return s
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func report(n, steps, runs int, tools []tool, ms [][]sample) {
	fmt.Printf("\nN=%d nodes, %d shell steps each (%d commands), %d runs each, medians:\n", n, steps, n*steps, runs)
	fmt.Printf("  %-12s %10s %10s %10s %12s %10s\n", "tool", "wall", "cpu", "rss", "wall/limit", "cpu/limit")
	base := medians(ms[0])
	for i, t := range tools {
		m := medians(ms[i])
		fmt.Printf("  %-12s %9.3fs %9.3fs %7.1fMiB %11.2fx %9.2fx\n", t.label, m.wall.Seconds(), m.cpu.Seconds(),
			float64(m.rssKiB)/1024, m.wall.Seconds()/base.wall.Seconds(), m.cpu.Seconds()/base.cpu.Seconds())
	}
}

func medians(ss []sample) sample {
	med := func(get func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = get(s)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return sample{
		wall:   time.Duration(med(func(s sample) float64 { return float64(s.wall) })),
		cpu:    time.Duration(med(func(s sample) float64 { return float64(s.cpu) })),
		rssKiB: int64(med(func(s sample) float64 { return float64(s.rssKiB) })),
	}
}
