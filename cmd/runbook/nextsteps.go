package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/exec"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/modules"
)

// guardHints say, per runtime guard, what an operator checks first when it
// refuses; the guard's own message says what it saw.
var guardHints = map[string]string{
	guard.ArtifactChecksum: "the medium file: it must be the vendor's, and the artifact's sha256 copied from the vendor's download page",
	guard.ArtifactMissing:  "the artifact's file (its path, media_dir, read permission)",
	guard.ArtifactRelease:  "the medium on the node: it must be the one the hop installs (release, product, SSP level)",
	guard.FactsDrift:       "what the node reports against what the manifest declares: correct release/ssp in the manifest, or find out who changed the node",
	guard.CallsActive:      "the calls still on the node: let them end, or raise policy.drain_timeout or policy.max_active_calls",
	guard.PeerUnavailable:  "the secondary Session Manager: it must accept new service with every service up before this node leaves service",
	guard.WindowClosed:     "the maintenance window: resume inside it (or pass --ignore-window)",
	guard.DiskSpace:        "free space on the node, on the partition the message names",
	guard.TimeSkew:         "the node's clock and its NTP servers",
	guard.UDSBackup:        "the User Data Storage backup configuration on the node",
	guard.FirewallPorts:    "the firewall between the nodes: the ports the message names must be open",
	guard.BackupVerify:     "the backup archive on the node and in the backup store",
	guard.VerifyRelease:    "the release the node reports after the hop, and the installer's log on the node",
	guard.VerifyServices:   "the services the message names, on the node (its service status), before going on",
	guard.VerifyData:       "the node's users and data against the backup taken before the hop, before going on",
	guard.OutOfService:     "the other nodes of the cluster: only one may be out of service at a time",
	guard.NodeServices:     "the services the message names, on the node: bring them up before the hop",
}

// checkFirst says, for each root cause of a halted run, where to look
// first: the refusing guard (and what to check for it), or the failed step
// and its output in the change record.
func checkFirst(res *exec.Result, recordDir string) []string {
	if res == nil || res.Errs == nil {
		return nil
	}
	var out []string
	for _, err := range res.Errs.Errors {
		var ne *exec.NodeError
		if !errors.As(err, &ne) {
			continue
		}
		step := ne.Step
		if step == "" {
			step = "-"
		}
		switch {
		case ne.Guard != "":
			hint, ok := guardHints[ne.Guard]
			if !ok {
				hint = fmt.Sprintf("the manifest's guard %q: its condition and what its message says", ne.Guard)
			}
			out = append(out, fmt.Sprintf("guard %s refused node %s at step %s: check %s", ne.Guard, ne.Node, step, hint))
		default:
			out = append(out, fmt.Sprintf("step %s failed on node %s: check its output and exit code (runbook show %s)", step, ne.Node, modules.Quote(recordDir)))
		}
	}
	return out
}

// resumeCommand is the exact command line that resumes this run: the same
// PATH and the flags that shape it, every -var and -var-file given (a
// sensitive variable's value replaced by "…", to be typed again), and never
// --auto-approve or --ignore-window, which the operator decides anew.
func resumeCommand(o *applyOpts, path string, cfg *eval.Config) string {
	args := []string{"runbook", "apply", "--resume"}
	add := func(a ...string) {
		for _, s := range a {
			args = append(args, modules.Quote(s))
		}
	}
	if o.lab {
		add("--lab")
		if o.labDir != "" {
			add("--lab-dir", o.labDir)
		}
		if o.timeScale != 1 {
			add("--time-scale", fmt.Sprint(o.timeScale))
		}
	}
	if o.records != "records" {
		add("--records", o.records)
	}
	for _, c := range o.clusters {
		add("--cluster", c)
	}
	for _, l := range o.limit {
		add("--limit", l)
	}
	if o.parallel > 0 {
		add("--parallel", fmt.Sprint(o.parallel))
	}
	if o.keepGoing {
		add("--keep-going")
	}
	if o.catalog != "" {
		add("--catalog", o.catalog)
	}
	for _, f := range o.varFiles {
		add("-var-file", f)
	}
	for _, v := range o.vars {
		name, _, _ := strings.Cut(v, "=")
		if cfg != nil && cfg.Variables[name].Sensitive {
			// Never the value: the operator gives it again.
			args = append(args, "-var", modules.Quote(name)+"=…")
			continue
		}
		add("-var", v)
	}
	if path != "" {
		add(path)
	}
	return strings.Join(args, " ")
}
