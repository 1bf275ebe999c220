package exec

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/release"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// skewGuard compares the node's clock with the controller's (time.skew).
func (r *run) skewGuard(ctx context.Context, e *guardEnv) error {
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	return r.check(e.s, e.ns.name, guard.TimeSkew, checkSkew(f, r.clock.Now(), r.lim.MaxClockSkew), "clock in sync")
}

// udsGuard requires a core SM's User Data Storage backup to be healthy
// before its backup (uds.backup).
func (r *run) udsGuard(ctx context.Context, e *guardEnv) error {
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	return r.check(e.s, e.ns.name, guard.UDSBackup, checkUDS(e.ns.kind, f), "UDS backup ok")
}

// diskGuard requires free space on the node (disk.space): on /var for the
// backup, on every checked mount for the medium the upload sends, plus a
// margin.
func (r *run) diskGuard(ctx context.Context, e *guardEnv) error {
	f, err := r.nodeFacts(ctx, e)
	if err != nil {
		return err
	}
	s := e.s
	if s.Phase == plan.PhaseBackup {
		need := r.lim.BackupMinFreeMB
		return r.check(s, e.ns.name, guard.DiskSpace, checkDisk(f, []string{"/var"}, need), fmt.Sprintf("%d MB free on /var", f.DiskFreeMB["/var"]))
	}
	var sizeMB int64
	if st, err := os.Stat(s.Args["local"]); err == nil {
		sizeMB = (st.Size() + 1<<20 - 1) >> 20
	} else if !r.opts.DryRun {
		return fmt.Errorf("medium %s: %w", s.Args["local"], err)
	}
	need := sizeMB + r.lim.DiskMarginMB
	return r.check(s, e.ns.name, guard.DiskSpace, checkDisk(f, r.lim.DiskMounts, need), fmt.Sprintf("%d MB needed, available on %v", need, r.lim.DiskMounts))
}

// backup runs the backup; backup.verify then judges the pulled archive
// before anything on the node changes, and only a verified archive is kept
// for a restore.
func (r *run) backup(ctx context.Context, e *guardEnv) (modules.Outcome, error) {
	ns, s := e.ns, e.s
	f, err := r.nodeFacts(ctx, e) // read once for the guards before it
	if err != nil {
		return modules.Outcome{}, err
	}
	out, err := r.runModule(ctx, ns, s, r.task(ns, s))
	if err != nil {
		return out, err
	}
	e.onPass = func() {
		// The release the archive was taken on: a rollback restores it
		// only onto that release.
		vals := make(map[string]string, len(e.out.Values)+1)
		for k, v := range e.out.Values {
			vals[k] = v
		}
		vals["release"] = f.Release
		e.out.Values = vals
		r.mu.Lock()
		ns.backups[s.Hop.Index] = vals
		ns.lastBackup = vals
		r.mu.Unlock()
	}
	return out, nil
}

// backupGuard judges the backup the module pulled (backup.verify): present,
// non-empty, with the sha256 the node reported for it. At a restore or a
// migration it judges what the module saw of the archive it restores.
func (r *run) backupGuard(ctx context.Context, e *guardEnv) error {
	s, node := e.s, e.ns.name
	if s.Phase != plan.PhaseBackup {
		return r.judgeUnmet(e, guard.BackupVerify, sm.ObsArchive)
	}
	if r.opts.DryRun {
		e.takeUnmet(sm.ObsArchive)
		r.guardVerdict(s, node, guard.BackupVerify, record.VerdictUnknown, "dry-run: no archive pulled")
		return nil
	}
	cerr := checkArchive(e.out.Values["archive"], e.out.Values["archive_sha256"])
	if u := e.takeUnmet(sm.ObsArchive); u != nil && cerr == nil {
		cerr = guardErr(guard.BackupVerify, "%v", u)
	}
	return r.check(s, node, guard.BackupVerify, cerr, "archive present, sha256 matches")
}

// change runs an ssp, upgrade, migrate or restore step (order.smgr_first and,
// for System Manager, which has no drain, its medium were checked before). From here on the
// hop counts as started: a failure triggers the rollback policy.
func (r *run) change(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	t := r.task(ns, s)
	if s.Phase.Spec().Effect == rollout.EffectData {
		// Restore and migration put the backup's data back: they need the
		// hop's archive.
		r.mu.Lock()
		b := ns.backups[s.Hop.Index]
		if b == nil {
			b = ns.lastBackup
		}
		r.mu.Unlock()
		if b == nil && !r.opts.DryRun {
			return modules.Outcome{}, fmt.Errorf("%s: no backup of %s taken in this run", s.Phase, ns.name)
		}
		for _, k := range []string{"archive", "archive_sha256", "remote_archive"} {
			if v, ok := b[k]; ok {
				t.Args[k] = v
			}
		}
	}
	r.mu.Lock()
	ns.changed[s.Hop.Index] = true
	r.mu.Unlock()
	// An installer or restore cut short leaves a half-changed node (the
	// domain notes: an SSH drop mid-patch can break it), so an interrupt
	// lets the change go on for Limits.InterruptGrace (r.hard); the walk
	// starts nothing after it. Its profile timeout bounds it too.
	return r.runModule(r.hard, ns, s, t)
}

// checkSMGRFirst refuses an SM/BSM hop onto a line newer than SMGR's
// current release, read from SMGR itself (read-only when SMGR is outside
// the run's --cluster scope), or its declared release when it cannot be read.
// Both members of a geo-redundant pair must be on the line.
func (r *run) checkSMGRFirst(ctx context.Context, e *guardEnv) error {
	s, ns := e.s, e.ns
	if ns.kind == rollout.KindSMGR || r.cfg.SMGR == nil || !s.Phase.Spec().NewRelease {
		return nil
	}
	for _, m := range smgrMembers(r.cfg) {
		smgr := m.Release
		if sn, err := r.peer(m.Name); err == nil {
			r.mu.Lock()
			have, f := sn.haveFacts, sn.facts
			r.mu.Unlock()
			if !have {
				f, err = r.gather(ctx, sn, s)
				have = err == nil
			}
			if have && f.Release != "" {
				smgr = f.Release
			}
		}
		if to := release.Line(s.Hop.To); release.CompareLines(release.Line(smgr), to) < 0 {
			return r.check(s, ns.name, guard.OrderSMGRFirst, guardErr(guard.OrderSMGRFirst, "System Manager %s is on %s, older than the %s line this hop moves to", m.Name, smgr, to), "")
		}
	}
	return nil
}

// smgrMembers are the System Manager and, in a geo-redundant pair, its
// secondary.
func smgrMembers(cfg *eval.Config) []*eval.Node {
	var out []*eval.Node
	for _, m := range []*eval.Node{cfg.SMGR, cfg.SMGRSecondary} {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// undrain accepts new service again and confirms it.
func (r *run) undrain(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	out, err := r.runModule(ctx, ns, s, r.task(ns, s))
	if err != nil {
		return out, err
	}
	r.markUndrained(ns)
	return out, nil
}

func (r *run) markUndrained(ns *nodeState) {
	r.mu.Lock()
	ns.drained, ns.userDrain = false, nil
	r.oos.close(ns)
	r.mu.Unlock()
}

func argInt(args map[string]string, k string, def int) int {
	if v, err := strconv.Atoi(args[k]); err == nil {
		return v
	}
	return def
}
