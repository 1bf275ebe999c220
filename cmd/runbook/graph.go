package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/runbook-dev/runbook/engine/plan"
)

type graphOpts struct {
	manifestFlags
	format string
}

func graphCommand() *command {
	return &command{
		name:    "graph",
		args:    "[PATH]",
		summary: "Print the step DAG as Graphviz DOT or Mermaid.",
		help: `Examples:
  runbook graph examples/core-cluster | dot -Tsvg > plan.svg
  runbook graph --format mermaid examples/core-cluster`,
		maxArgs: 1,
		flags: func(fs *flag.FlagSet) any {
			o := &graphOpts{}
			o.register(fs)
			fs.StringVar(&o.format, "format", "dot", "output `format`: dot or mermaid")
			return o
		},
		run: func(io *stdio, opts any, args []string) error {
			o := opts.(*graphOpts)
			if o.format != "dot" && o.format != "mermaid" {
				return usagef("graph: --format must be dot or mermaid, not %q", o.format)
			}
			l, p := compile(io, &o.manifestFlags, first(args), plan.Options{})
			printErrors(io, &o.manifestFlags, l)
			if p == nil || l.diags.HasErrors() {
				return errReported
			}
			if o.format == "dot" {
				writeDOT(io.out, p)
			} else {
				writeMermaid(io.out, p)
			}
			return nil
		},
	}
}

// writeDOT prints one subgraph per node, steps in plan order, edges from
// depends_on.
func writeDOT(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "digraph %q {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n", p.Runbook)
	for i, group := range groupByNode(p) {
		fmt.Fprintf(w, "  subgraph \"cluster_%d\" {\n    label=%q;\n", i, group[0].Cluster+"/"+group[0].Node)
		for _, s := range group {
			style := ""
			if s.OutOfService {
				style = ", style=filled, fillcolor=\"#ffe0b2\""
			}
			fmt.Fprintf(w, "    %q [label=%q%s];\n", s.ID, fmt.Sprintf("%d/%s", s.Hop.Index, s.Phase), style)
		}
		fmt.Fprintf(w, "  }\n")
	}
	for _, s := range p.Steps {
		for _, d := range s.DependsOn {
			fmt.Fprintf(w, "  %q -> %q;\n", d, s.ID)
		}
	}
	fmt.Fprintf(w, "}\n")
}

// writeMermaid prints the same graph as a Mermaid flowchart.
func writeMermaid(w io.Writer, p *plan.Plan) {
	ids := map[string]string{}
	for i, s := range p.Steps {
		ids[s.ID] = fmt.Sprintf("s%d", i)
	}
	fmt.Fprintf(w, "flowchart LR\n")
	for i, group := range groupByNode(p) {
		fmt.Fprintf(w, "  subgraph n%d[\"%s/%s\"]\n", i, group[0].Cluster, group[0].Node)
		for _, s := range group {
			fmt.Fprintf(w, "    %s[\"%d/%s\"]\n", ids[s.ID], s.Hop.Index, strings.ReplaceAll(string(s.Phase), "\"", "'"))
		}
		fmt.Fprintf(w, "  end\n")
	}
	for _, s := range p.Steps {
		for _, d := range s.DependsOn {
			fmt.Fprintf(w, "  %s --> %s\n", ids[d], ids[s.ID])
		}
	}
}

// groupByNode returns the steps per node, nodes in plan order, steps in
// execution order.
func groupByNode(p *plan.Plan) [][]*plan.Step {
	steps := make(map[string]*plan.Step, len(p.Steps))
	for _, s := range p.Steps {
		steps[s.ID] = s
	}
	byNode := map[string][]*plan.Step{}
	var names []string
	for _, id := range p.Order {
		s := steps[id]
		if s == nil {
			continue
		}
		if _, ok := byNode[s.Node]; !ok {
			names = append(names, s.Node)
		}
		byNode[s.Node] = append(byNode[s.Node], s)
	}
	// Nodes in the plan's node order, then any others in order of appearance.
	var out [][]*plan.Step
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if g := byNode[n.Name]; len(g) > 0 {
			out = append(out, g)
			seen[n.Name] = true
		}
	}
	for _, n := range names {
		if !seen[n] {
			out = append(out, byNode[n])
		}
	}
	return out
}
