package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/guard"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/sm"
)

// planView is what the human plan shows besides the plan document: the
// maintenance window, the fact reads of each node kind (printed as one
// count), the manifest's guard blocks by phase, and whether every command is
// printed (--verbose).
type planView struct {
	verbose bool
	window  *eval.Window
	// facts returns the read-only fact commands of a node kind, in the
	// order the modules render them first in a step's commands.
	facts func(kind string) []string
	// userGuards are the names of the manifest's guard blocks, by phase.
	userGuards map[string][]string
	// phaseW and moduleW are the widths of the step lines' phase and module
	// columns: 12, or the longest name of the plan (replication_off).
	phaseW, moduleW int
}

// newPlanView builds the view of a loaded manifest.
func newPlanView(l *loaded, verbose bool) planView {
	v := planView{verbose: verbose, userGuards: map[string][]string{}}
	if l.cfg != nil {
		v.window = l.cfg.Runbook.Window
		for _, g := range l.cfg.Guards {
			v.userGuards[g.Phase] = append(v.userGuards[g.Phase], g.Name)
		}
	}
	if l.drv != nil {
		v.facts = func(kind string) []string {
			return l.drv.Commands(sm.FactsSpec.Name, modules.Task{Kind: kind})
		}
	}
	return v
}

// writePlanText prints the human view of a plan for a reviewer: a summary
// line, then the steps in execution order (executionBlocks), grouped by node
// and hop, one line each with its estimate, what it runs and the guards
// around it. With verbose every command follows its step.
func writePlanText(w io.Writer, p *plan.Plan, v planView) {
	fmt.Fprintf(w, "Plan %s", p.Runbook)
	if p.ChangeID != "" {
		fmt.Fprintf(w, " (change %s)", p.ChangeID)
	}
	fmt.Fprintf(w, "\nmanifest sha256 %s\n", p.ManifestSHA256)
	warnings := 0
	for _, d := range p.Diagnostics {
		if d.Severity == "warning" {
			warnings++
		}
	}
	fmt.Fprintf(w, "%d node(s), %d step(s), estimated %s, %d warning(s); %s\n", len(p.Nodes), len(p.Steps),
		fmtDuration(time.Duration(p.EstimatedDurationS)*time.Second), warnings, windowText(v.window))
	writeOutsideMedia(w, p)
	if at := startGuards(); len(at) > 0 {
		fmt.Fprintf(w, "checked when the run starts: %s\n", strings.Join(at, ", "))
	}
	fmt.Fprintf(w, "\nSteps in execution order, by node and hop; * = out of service (drained); before/after: the guards judged around the step.\n")

	nodes := map[string]*plan.Node{}
	for _, n := range p.Nodes {
		nodes[n.Name] = n
	}
	verdicts := map[string][]string{}
	for _, d := range p.Diagnostics {
		if d.Node != "" && d.Rule != "" {
			verdicts[d.Node] = append(verdicts[d.Node], fmt.Sprintf("%s (%s)", d.Rule, d.Severity))
		}
	}
	v.phaseW, v.moduleW = 12, 12
	for _, st := range p.Steps {
		v.phaseW, v.moduleW = max(v.phaseW, len(st.Phase)), max(v.moduleW, len(st.Module))
	}
	seen := map[string]bool{}
	for _, b := range executionBlocks(p) {
		n := nodes[b.Node]
		if b.Hop.Index == 0 {
			fmt.Fprintf(w, "\n  %s  SSP pass on %s", b.Node, b.Hop.From)
		} else {
			fmt.Fprintf(w, "\n  %s  hop %d: %s -> %s", b.Node, b.Hop.Index, b.Hop.From, b.Hop.To)
		}
		if n != nil {
			fmt.Fprintf(w, "  (%s %s, cluster %s)", n.Kind, n.Host, n.Cluster)
		}
		fmt.Fprintln(w)
		if !seen[b.Node] {
			seen[b.Node] = true
			if vs := verdicts[b.Node]; len(vs) > 0 {
				fmt.Fprintf(w, "      static: %s\n", strings.Join(vs, ", "))
			}
		}
		for _, s := range b.Steps {
			writeStepLine(w, s, n, v)
		}
	}
}

// writeStepLine prints one step: mark, phase, module, estimate, what it
// runs (fact reads as one count) and its guards; verbose adds every command.
func writeStepLine(w io.Writer, s *plan.Step, n *plan.Node, v planView) {
	mark := " "
	if s.OutOfService {
		mark = "*"
	}
	line := fmt.Sprintf("   %s %-*s %-*s ~%-7s %s", mark, v.phaseW, s.Phase, v.moduleW, s.Module,
		fmtDuration(time.Duration(s.EstimateS)*time.Second), runsText(s, n, v))
	if g := guardText(s, v); g != "" {
		line += "; " + g
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
	if v.verbose {
		for _, c := range s.Commands {
			fmt.Fprintf(w, "        $ %s\n", c)
		}
	}
}

// runsText says what a step runs: "facts (N read-only commands)" for the
// node's fact reads it starts with, then how many other commands.
func runsText(s *plan.Step, n *plan.Node, v planView) string {
	cmds := s.Commands
	var parts []string
	if v.facts != nil && n != nil {
		if f := v.facts(string(n.Kind)); len(f) > 0 && len(cmds) >= len(f) && slices.Equal(cmds[:len(f)], f) {
			parts = append(parts, fmt.Sprintf("facts (%d read-only commands)", len(f)))
			cmds = cmds[len(f):]
		}
	}
	switch {
	case len(cmds) == 1:
		parts = append(parts, "1 command")
	case len(cmds) > 1:
		parts = append(parts, fmt.Sprintf("%d commands", len(cmds)))
	}
	return strings.Join(parts, " + ")
}

// guardText lists the guards judged around a step: the manifest's guard
// blocks of its phase, then, for a planned step, the runtime guards of the
// guard table (engine/guard) before and after its phase, and the walker's
// out-of-service check before a drain.
func guardText(s *plan.Step, v planView) string {
	before := append([]string(nil), v.userGuards[string(s.Phase)]...)
	var after []string
	if !s.User {
		if s.Planned(plan.PhaseDrain) {
			before = append(before, guard.OutOfService)
		}
		for _, r := range guard.For(string(s.Phase), guard.Before) {
			before = append(before, r.ID)
		}
		for _, r := range guard.For(string(s.Phase), guard.After) {
			after = append(after, r.ID)
		}
	}
	var out []string
	if len(before) > 0 {
		out = append(out, "before: "+strings.Join(before, ", "))
	}
	if len(after) > 0 {
		out = append(out, "after: "+strings.Join(after, ", "))
	}
	return strings.Join(out, "; ")
}

// startGuards are the runtime guards judged once when a run starts, before
// any node changes.
func startGuards() []string {
	var out []string
	for _, r := range guard.Rules {
		if r.Runtime && r.AtStart {
			out = append(out, r.ID)
		}
	}
	return out
}

// windowText prints the maintenance window and its length.
func windowText(win *eval.Window) string {
	if win == nil {
		return "no maintenance window"
	}
	return fmt.Sprintf("window %s to %s (%s)", win.Start.UTC().Format(time.RFC3339), win.End.UTC().Format(time.RFC3339),
		fmtDuration(win.End.Sub(win.Start)))
}

// writeOutsideMedia names, by absolute path, every medium the plan uploads
// from the runbook's media_dir, outside the manifest's folder: a reviewer
// sees which controller files leave for the nodes.
func writeOutsideMedia(w io.Writer, p *plan.Plan) {
	seen := map[string]bool{}
	for _, s := range p.Steps {
		dir, local := s.Args["media_dir"], s.Args["local"]
		if s.Phase != plan.PhaseUpload || dir == "" || seen[local] {
			continue
		}
		if len(seen) == 0 {
			fmt.Fprintf(w, "media from outside the manifest's folder (media_dir %s), uploaded to the nodes:\n", dir)
		}
		seen[local] = true
		fmt.Fprintf(w, "  %-24s %s\n", s.Args["artifact"], local)
	}
}

// fmtDuration prints 1h05m, 12m, 40s.
func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
}

// writePlanSummary is what apply shows before asking for approval: each
// node's path and the plan's size and estimated duration.
func writePlanSummary(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "Plan %s", p.Runbook)
	if p.ChangeID != "" {
		fmt.Fprintf(w, " (change %s)", p.ChangeID)
	}
	fmt.Fprintln(w)
	writeOutsideMedia(w, p)
	for _, n := range p.Nodes {
		fmt.Fprintf(w, "  %-8s %-24s %s\n", n.Cluster, n.Name, strings.Join(n.Path, " -> "))
	}
	fmt.Fprintf(w, "%d step(s), estimated %s.\n", len(p.Steps), fmtDuration(time.Duration(p.EstimatedDurationS)*time.Second))
}
