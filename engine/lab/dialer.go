package lab

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// Redirect turns a manifest target into the node's lab target: host
// 127.0.0.1 and the node's port, the lab key and known_hosts, strict host
// key checking, no jump host. The manifest's user and password are kept
// (the node accepts that password as well as the lab key), and so is its
// timeout. A node the lab does not serve is an error: the lab never lets a
// connection leave for a manifest's real host.
func (l *Lab) Redirect(t modules.Target) (modules.Target, error) {
	s := l.nodes[t.Node]
	if s == nil {
		return modules.Target{}, fmt.Errorf("lab: node %q is not served by the lab (only %v)", t.Node, l.order)
	}
	lt := s.target(l)
	if t.User != "" {
		lt.User = t.User
	}
	lt.Password, lt.Timeout = t.Password, t.Timeout
	return lt, nil
}

// Dialer wraps the SSH dialer the executor uses so that every dial goes to
// the lab: targets are rewritten by Redirect before inner sees them.
func (l *Lab) Dialer(inner modules.Dialer) modules.Dialer {
	return &redirectDialer{lab: l, inner: inner}
}

type redirectDialer struct {
	lab   *Lab
	inner modules.Dialer
}

func (d *redirectDialer) Dial(ctx context.Context, t modules.Target) (modules.Conn, error) {
	lt, err := d.lab.Redirect(t)
	if err != nil {
		return nil, err
	}
	c, err := d.inner.Dial(ctx, lt)
	if err != nil {
		return nil, err
	}
	return notExecutedConn{c}, nil
}

// notExecutedConn marks the results of the command lines a lab node did not
// run (it does not model them, and its host is the controller): the modules
// then report them as not executed in the lab instead of as a failure or a
// success.
type notExecutedConn struct{ modules.Conn }

func (c notExecutedConn) Run(ctx context.Context, cmd modules.Command) (modules.Result, error) {
	res, err := c.Conn.Run(ctx, cmd)
	if err == nil && sim.IsNotExecuted(res.ExitCode, res.Stderr) {
		res.NotExecuted = true
	}
	return res, err
}

// Describe prints, for `runbook lab`, how to reach each node by hand: node,
// kind, address and state directory, then the key and known_hosts files
// and an ssh command line that uses them.
func (l *Lab) Describe(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tKIND\tADDRESS\tSTATE")
	for _, name := range l.order {
		s := l.nodes[name]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, s.kind, s.addr, s.dir)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nknown_hosts: %s\nclient key:  %s\n", l.knownHost, l.keyFile)
	if len(l.order) > 0 {
		t := l.nodes[l.order[0]].target(l)
		fmt.Fprintf(w, "connect:     ssh -i %s -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -p %d %s@%s 'bash -lc swversion'\n",
			modules.Quote(l.keyFile), modules.Quote(l.knownHost), t.Port, t.User, t.Host)
	}
	synth := l.Synthesized()
	sort.Slice(synth, func(i, j int) bool { return synth[i].Artifact < synth[j].Artifact })
	for _, m := range synth {
		_, err := fmt.Fprintf(w, "synthesized media for %s: %s (sha256 %s)\n", m.Artifact, m.File, m.SHA256)
		if err != nil {
			return err
		}
	}
	return nil
}
