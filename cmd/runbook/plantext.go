package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine/plan"
)

// writePlanText prints the human view of a plan: per cluster, per node, each
// step in execution order with the commands it will run.
func writePlanText(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "Plan %s", p.Runbook)
	if p.ChangeID != "" {
		fmt.Fprintf(w, " (change %s)", p.ChangeID)
	}
	fmt.Fprintf(w, "\nmanifest sha256 %s\n", p.ManifestSHA256)
	writeOutsideMedia(w, p)

	nodes := map[string]*plan.Node{}
	for _, n := range p.Nodes {
		nodes[n.Name] = n
	}
	cluster := ""
	for _, group := range groupByNode(p) {
		first := group[0]
		if first.Cluster != cluster {
			cluster = first.Cluster
			fmt.Fprintf(w, "\ncluster %s\n", cluster)
		}
		if n := nodes[first.Node]; n != nil {
			fmt.Fprintf(w, "\n  %s (%s, %s) %s\n", n.Name, n.Kind, n.Host, strings.Join(n.Path, " -> "))
		} else {
			fmt.Fprintf(w, "\n  %s\n", first.Node)
		}
		for _, s := range group {
			mark := " "
			if s.OutOfService {
				mark = "*"
			}
			fmt.Fprintf(w, "   %s %-40s %-12s ~%s\n", mark, s.ID, s.Module, fmtDuration(time.Duration(s.EstimateS)*time.Second))
			for _, c := range s.Commands {
				fmt.Fprintf(w, "        $ %s\n", c)
			}
		}
	}
	fmt.Fprintf(w, "\n%d node(s), %d step(s); * = out of service (drained). Estimated duration %s.\n",
		len(p.Nodes), len(p.Steps), fmtDuration(time.Duration(p.EstimatedDurationS)*time.Second))
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
