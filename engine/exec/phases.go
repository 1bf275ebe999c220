package exec

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
	"github.com/runbook-dev/runbook/internal/release"
	"github.com/runbook-dev/runbook/internal/rollout"
	"github.com/runbook-dev/runbook/modules"
)

// precheck re-reads the node and checks its clock and its ports to System
// Manager before the module's own checks.
func (r *run) precheck(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		return modules.Outcome{}, err
	}
	if err := r.check(s, ns.name, GuardTimeSkew, checkSkew(f, r.clock.Now(), r.lim.MaxClockSkew), "clock in sync"); err != nil {
		return modules.Outcome{}, err
	}
	if err := r.firewallGuard(ctx, s, ns); err != nil {
		return modules.Outcome{}, err
	}
	return r.runModule(ctx, ns, s, r.task(ns, s))
}

// backup checks UDS and space, runs the backup and verifies the pulled
// archive before anything on the node changes.
func (r *run) backup(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		return modules.Outcome{}, err
	}
	if err := r.check(s, ns.name, GuardUDSBackup, checkUDS(ns.kind, f), "UDS backup ok"); err != nil {
		return modules.Outcome{}, err
	}
	need := r.lim.BackupMinFreeMB
	if err := r.check(s, ns.name, GuardDiskSpace, checkDisk(f, []string{"/var"}, need), fmt.Sprintf("%d MB free on /var", f.DiskFreeMB["/var"])); err != nil {
		return modules.Outcome{}, err
	}
	out, err := r.runModule(ctx, ns, s, r.task(ns, s))
	if err != nil {
		return out, err
	}
	if r.opts.DryRun {
		r.guardVerdict(s, ns.name, GuardBackupVerify, record.VerdictUnknown, "dry-run: no archive pulled")
	} else if err := r.check(s, ns.name, GuardBackupVerify, checkArchive(out.Values["archive"], out.Values["archive_sha256"]), "archive present, sha256 matches"); err != nil {
		return out, err
	}
	// The release the archive was taken on: a rollback restores it only
	// onto that release.
	vals := make(map[string]string, len(out.Values)+1)
	for k, v := range out.Values {
		vals[k] = v
	}
	vals["release"] = f.Release
	out.Values = vals
	r.mu.Lock()
	ns.backups[s.Hop.Index] = vals
	ns.lastBackup = vals
	r.mu.Unlock()
	return out, nil
}

// upload checks free space on the node for the medium, then uploads it (the
// module verifies the sha256 on both ends) and reads what it holds.
func (r *run) upload(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	f, err := r.gather(ctx, ns, s)
	if err != nil {
		return modules.Outcome{}, err
	}
	var sizeMB int64
	if st, err := os.Stat(s.Args["local"]); err == nil {
		sizeMB = (st.Size() + 1<<20 - 1) >> 20
	} else if !r.opts.DryRun {
		return modules.Outcome{}, fmt.Errorf("medium %s: %w", s.Args["local"], err)
	}
	need := sizeMB + r.lim.DiskMarginMB
	if err := r.check(s, ns.name, GuardDiskSpace, checkDisk(f, r.lim.DiskMounts, need), fmt.Sprintf("%d MB needed, available on %v", need, r.lim.DiskMounts)); err != nil {
		return modules.Outcome{}, err
	}
	out, err := r.runModule(ctx, ns, s, r.task(ns, s))
	if err != nil {
		return out, err
	}
	// The module checked the sha256 on the node; what the medium holds is
	// read now, ahead of the drain.
	return out, r.verifyMedium(ctx, ns, s, false)
}

// change runs an ssp, upgrade, migrate or restore step. From here on the
// hop counts as started: a failure triggers the rollback policy.
func (r *run) change(ctx context.Context, ns *nodeState, s *plan.Step) (modules.Outcome, error) {
	if err := r.checkSMGRFirst(ctx, s, ns); err != nil {
		return modules.Outcome{}, err
	}
	if !ns.kind.Spec().CanDrain && (s.Phase == plan.PhaseSSP || s.Phase == plan.PhaseUpgrade) {
		// System Manager has no drain: its medium is re-read here.
		if err := r.verifyMedium(ctx, ns, s, true); err != nil {
			return modules.Outcome{}, err
		}
	}
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
func (r *run) checkSMGRFirst(ctx context.Context, s *plan.Step, ns *nodeState) error {
	if ns.kind == rollout.KindSMGR || r.cfg.SMGR == nil || !s.Phase.Spec().NewRelease {
		return nil
	}
	smgr := r.cfg.SMGR.Release
	if sn, err := r.peer(r.cfg.SMGR.Name); err == nil {
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
		return r.check(s, ns.name, GuardSMGRFirst, guardErr(GuardSMGRFirst, "System Manager is on %s, older than the %s line this hop moves to", smgr, to), "")
	}
	return nil
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
