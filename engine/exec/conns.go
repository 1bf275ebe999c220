package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/sm"
)

// pool holds one connection per node, opened on first use and reused for
// every command to that node. Only a lost connection is ever redialled.
type pool struct {
	r     *run
	mu    sync.Mutex
	conns map[string]modules.Conn
	dials map[string]*sync.Mutex // one dial at a time per node
}

func newPool(r *run) *pool {
	return &pool{r: r, conns: map[string]modules.Conn{}, dials: map[string]*sync.Mutex{}}
}

func (p *pool) nodeLock(node string) *sync.Mutex {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.dials[node]
	if m == nil {
		m = &sync.Mutex{}
		p.dials[node] = m
	}
	return m
}

// get returns the node's connection, dialling it the first time.
func (p *pool) get(ctx context.Context, ns *nodeState) (modules.Conn, error) {
	l := p.nodeLock(ns.name)
	l.Lock()
	defer l.Unlock()
	p.mu.Lock()
	c := p.conns[ns.name]
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := p.dial(ctx, ns)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.conns[ns.name] = c
	p.mu.Unlock()
	return c, nil
}

func (p *pool) dial(ctx context.Context, ns *nodeState) (modules.Conn, error) {
	o := p.r.opts
	if o.Offline {
		return dryrun.Wrap(nil, ns.name, o.DryRunRecorder), nil
	}
	c, err := o.Dialer.Dial(ctx, ns.target)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", ns.name, err)
	}
	if o.DryRun {
		c = dryrun.Wrap(c, ns.name, o.DryRunRecorder)
	}
	return c, nil
}

// redial drops the node's connection and dials again with bounded
// exponential backoff: a rebooting node refuses connections for a while.
func (p *pool) redial(ctx context.Context, ns *nodeState) (modules.Conn, error) {
	l := p.nodeLock(ns.name)
	l.Lock()
	defer l.Unlock()
	p.mu.Lock()
	if old := p.conns[ns.name]; old != nil {
		old.Close()
		delete(p.conns, ns.name)
	}
	p.mu.Unlock()
	lim := p.r.lim
	wait := lim.ReconnectInitial
	var last error
	for i := 1; i <= lim.ReconnectTries; i++ {
		p.r.progress(nil, ns.name, "reconnecting to %s (attempt %d of %d)", ns.name, i, lim.ReconnectTries)
		c, err := p.dial(ctx, ns)
		if err == nil {
			p.mu.Lock()
			p.conns[ns.name] = c
			p.mu.Unlock()
			return c, nil
		}
		last = err
		if i == lim.ReconnectTries {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
		if wait > lim.ReconnectMax {
			wait = lim.ReconnectMax
		}
	}
	return nil, fmt.Errorf("node %s did not come back after %d attempts: %w", ns.name, lim.ReconnectTries, last)
}

func (p *pool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n, c := range p.conns {
		c.Close()
		delete(p.conns, n)
	}
}

var _ modules.Conn = (*observed)(nil)

// observed wraps a node's connection for one step so every command, upload
// and download lands in the journal with its exit code, duration and output
// digest. It is also where the step's context reaches the events.
type observed struct {
	c    modules.Conn
	r    *run
	node string
	step string
	// reboots: the step runs an installer, which ends by rebooting the
	// node; its connection closing is expected, not an error.
	reboots bool
	// live: the step is a user step, whose output Options.StepOutput
	// streams.
	live bool
}

// StatusRebooted is the status of the command event of an installer whose
// connection closed as the node went down for its reboot: expected, and the
// step's outcome is then read from the node (see settle).
const StatusRebooted = "rebooted"

func (o *observed) Run(ctx context.Context, c modules.Command) (modules.Result, error) {
	var live io.WriteCloser
	if o.live && !c.ReadOnly && c.Output == nil && o.r.opts.StepOutput != nil {
		live = o.r.opts.StepOutput(o.node, o.step)
		c.Output = live
	}
	res, err := o.c.Run(ctx, c)
	if live != nil {
		_ = live.Close()
	}
	e := record.Event{Type: record.EventCommand, Node: o.node, Step: o.step, Command: c.Line,
		DurationMS: res.Duration.Milliseconds()}
	switch {
	case err != nil:
		e.Message = err.Error()
	case res.NotExecuted:
		// Nothing ran: no exit code, no output to digest.
	default:
		e.ExitCode = record.ExitCode(res.ExitCode)
		out := append(append([]byte{}, res.Stdout...), res.Stderr...)
		e.OutputSHA256, e.OutputTail = o.r.red.Output(out)
	}
	var te *sm.TimeoutError
	if err != nil && o.reboots && !c.ReadOnly && ctx.Err() == nil && !errors.As(err, &te) && o.r.lost(err) {
		e.Status, e.Message = StatusRebooted, "the node went down for its reboot, as an install does (expected)"
		o.r.emit(e)
		return res, err
	}
	switch {
	case res.NotExecuted:
		e.Status = record.CommandNotExecuted
	case res.Skipped:
		e.Status = "skipped"
	case c.ReadOnly:
		e.Status = "read_only"
	}
	o.r.emit(e)
	return res, err
}

func (o *observed) Upload(ctx context.Context, local, remote string) (string, error) {
	start := time.Now()
	sum, err := o.c.Upload(ctx, local, remote)
	o.transfer("sftp put "+local+" "+remote, sum, start, err)
	return sum, err
}

func (o *observed) Download(ctx context.Context, remote, local string) (string, error) {
	start := time.Now()
	sum, err := o.c.Download(ctx, remote, local)
	o.transfer("sftp get "+remote+" "+local, sum, start, err)
	return sum, err
}

func (o *observed) transfer(what, sum string, start time.Time, err error) {
	e := record.Event{Type: record.EventCommand, Node: o.node, Step: o.step, Command: what,
		DurationMS: time.Since(start).Milliseconds(), OutputSHA256: sum}
	if err != nil {
		e.Message = err.Error()
	}
	o.r.emit(e)
}

// Close is a no-op: the pool owns the connection.
func (o *observed) Close() error { return nil }
