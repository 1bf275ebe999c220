package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// Options configure Start.
type Options struct {
	// Dir is the lab directory. Empty: a new temporary directory, removed by
	// Close unless Keep is set. Nodes already in Dir are reset, unless Reuse.
	Dir string
	// Reuse keeps the state of nodes already initialised in Dir (release,
	// data, backups, consumed faults), so that a run interrupted in the lab
	// can be resumed against the same fleet. Host keys, the client key and
	// known_hosts are new on every Start.
	Reuse bool
	// Keep leaves a temporary lab directory in place after Close, so the
	// nodes' state can be inspected after a rehearsal.
	Keep bool
	// Clusters limits the lab to these clusters (empty: all). The System
	// Manager, when the manifest names one, is always served: the other
	// nodes' upgrades depend on it.
	Clusters []string
	// Catalog gives the latest SSP of synthesized SSP media; nil means
	// catalog.Default().
	Catalog *catalog.Catalog
	// TimeScale multiplies every simulated duration (0 means 1).
	TimeScale float64
	// DefaultUsers is the user count of a node whose lab block says none
	// (0 means 100), so that a rehearsal's verify.data compares real data.
	DefaultUsers int
}

// Lab is a running fleet of simulated nodes. Its methods are safe for
// concurrent use.
type Lab struct {
	dir       string
	temp      bool
	keyFile   string
	knownHost string
	nodes     map[string]*server
	order     []string // node names in manifest order

	mu    sync.Mutex // guards synth
	synth []Synthesized

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Start builds the lab for cfg: a simulator state directory per node, an SSH
// server per node on 127.0.0.1, the client key, the known_hosts file and the
// media of absent artifacts. It updates cfg's Artifacts in place for the
// synthesized media (File and SHA256), so that a plan compiled from cfg
// afterwards uploads them. Close releases everything.
func Start(ctx context.Context, cfg *eval.Config, opts Options) (*Lab, error) {
	if cfg == nil {
		return nil, errors.New("lab: no manifest")
	}
	l := &Lab{dir: opts.Dir, nodes: map[string]*server{}}
	if l.dir == "" {
		d, err := os.MkdirTemp("", "runbook-lab-")
		if err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		l.dir, l.temp = d, !opts.Keep
	} else if err := claimDir(l.dir); err != nil {
		return nil, err
	}
	l.ctx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := l.start(cfg, opts); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) start(cfg *eval.Config, opts Options) error {
	nodes := selectNodes(cfg, opts.Clusters)
	if len(nodes) == 0 {
		return errors.New("lab: the manifest names no node to serve")
	}
	client, err := newClientKey(filepath.Join(l.dir, "id_ed25519"))
	if err != nil {
		return fmt.Errorf("lab: client key: %w", err)
	}
	l.keyFile = client.file
	scale := opts.TimeScale
	for _, n := range nodes {
		dir, err := initNode(l.dir, cfg, n, opts)
		if err != nil {
			return err
		}
		srv, err := newServer(l, n, dir, client.pub, connectionFor(cfg, n), scale)
		if err != nil {
			return fmt.Errorf("lab: node %s: %w", n.Name, err)
		}
		l.nodes[n.Name] = srv
		l.order = append(l.order, n.Name)
		srv.serve()
	}
	l.knownHost = filepath.Join(l.dir, "known_hosts")
	if err := l.writeKnownHosts(); err != nil {
		return fmt.Errorf("lab: known_hosts: %w", err)
	}
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	synth, err := SynthesizeMedia(cfg, filepath.Join(l.dir, "media"), cat)
	if err != nil {
		return err
	}
	l.synth = synth
	return nil
}

// selectNodes returns SMGR (both members of a geo-redundant pair) and the
// nodes of the selected clusters.
func selectNodes(cfg *eval.Config, clusters []string) []*eval.Node {
	var out []*eval.Node
	if cfg.SMGR != nil {
		out = append(out, cfg.SMGR)
	}
	if cfg.SMGRSecondary != nil {
		out = append(out, cfg.SMGRSecondary)
	}
	for _, c := range cfg.Clusters {
		if len(clusters) == 0 || slices.Contains(clusters, c.Name) {
			out = append(out, c.Nodes...)
		}
	}
	return out
}

// connectionFor returns the node's connection block, nil when none.
func connectionFor(cfg *eval.Config, n *eval.Node) *eval.Connection {
	name := n.Connection
	if name == "" {
		name = "default"
	}
	return cfg.Connections[name]
}

// Dir is the lab directory.
func (l *Lab) Dir() string { return l.dir }

// BackupStore is where a run in the lab pulls its backups to: inside the
// lab directory (removed with a temporary lab), never the manifest's store,
// so a rehearsal neither fills nor mixes with the real backups.
func (l *Lab) BackupStore() string { return filepath.Join(l.dir, "backups") }

// KeyFile is the lab client's private key file.
func (l *Lab) KeyFile() string { return l.keyFile }

// KnownHostsFile is the known_hosts file naming every node's lab address.
func (l *Lab) KnownHostsFile() string { return l.knownHost }

// Nodes returns the served node names in manifest order.
func (l *Lab) Nodes() []string { return slices.Clone(l.order) }

// Synthesized lists the artifacts whose media the lab wrote.
func (l *Lab) Synthesized() []Synthesized {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.synth)
}

// Addr returns a node's lab address (127.0.0.1:PORT), "" when not served.
func (l *Lab) Addr(node string) string {
	if s := l.nodes[node]; s != nil {
		return s.addr
	}
	return ""
}

// StateDir returns a node's simulator state directory, "" when not served.
func (l *Lab) StateDir(node string) string {
	if s := l.nodes[node]; s != nil {
		return s.dir
	}
	return ""
}

// Show returns a node's simulated state, as `smsim show` prints it.
func (l *Lab) Show(node string) (sim.Snapshot, error) {
	s := l.nodes[node]
	if s == nil {
		return sim.Snapshot{}, fmt.Errorf("lab: no node %q", node)
	}
	return sim.Show(s.dir)
}

// Targets returns, for every served node, how to reach it in the lab.
func (l *Lab) Targets() map[string]modules.Target {
	out := make(map[string]modules.Target, len(l.nodes))
	for name, s := range l.nodes {
		out[name] = s.target(l)
	}
	return out
}

// Close stops every server, ends every session and connection, waits for
// them, and removes a temporary lab directory. It is safe to call twice.
func (l *Lab) Close() error {
	var err error
	l.once.Do(func() {
		l.cancel()
		for _, s := range l.nodes {
			s.close()
		}
		l.wg.Wait()
		if l.temp {
			err = os.RemoveAll(l.dir)
		}
	})
	return err
}

// writeKnownHosts writes one line per node, sorted by address.
func (l *Lab) writeKnownHosts() error {
	var lines []string
	for _, s := range l.nodes {
		lines = append(lines, s.knownHostsLine())
	}
	sort.Strings(lines)
	var b []byte
	for _, ln := range lines {
		b = append(b, ln...)
		b = append(b, '\n')
	}
	return os.WriteFile(l.knownHost, b, 0o600)
}

// hostPublicKey is a node's host key, for tests and Describe.
func (l *Lab) hostPublicKey(node string) ssh.PublicKey {
	if s := l.nodes[node]; s != nil {
		return s.hostKey.PublicKey()
	}
	return nil
}
