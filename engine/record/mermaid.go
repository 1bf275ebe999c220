package record

import (
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/engine/plan"
)

// Mermaid draws the plan as a Mermaid flowchart: one subgraph per node, an
// arrow per depends_on, and each step styled by its status in run (nil run:
// no styling). Vertex ids are generated (s0, s1 …), so step ids with slashes
// or dashes never break the syntax; labels are quoted and escaped.
func Mermaid(p *plan.Plan, run *Run) string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	ids := map[string]string{}
	for i, s := range p.Steps {
		ids[s.ID] = fmt.Sprintf("s%d", i)
	}
	status := map[string]string{}
	if run != nil {
		for _, s := range run.Steps {
			status[s.ID] = s.Status
		}
	}
	var nodes []string
	byNode := map[string][]*plan.Step{}
	for _, n := range p.Nodes {
		if _, ok := byNode[n.Name]; !ok {
			nodes = append(nodes, n.Name)
			byNode[n.Name] = nil
		}
	}
	for _, s := range p.Steps {
		if _, ok := byNode[s.Node]; !ok {
			nodes = append(nodes, s.Node)
		}
		byNode[s.Node] = append(byNode[s.Node], s)
	}
	for i, n := range nodes {
		if len(byNode[n]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  subgraph n%d[\"%s\"]\n", i, label(n))
		for _, s := range byNode[n] {
			fmt.Fprintf(&b, "    %s[\"%d · %s\"]\n", ids[s.ID], s.Hop.Index, label(string(s.Phase)))
		}
		b.WriteString("  end\n")
	}
	for _, s := range p.Steps {
		for _, d := range s.DependsOn {
			if from, ok := ids[d]; ok {
				fmt.Fprintf(&b, "  %s --> %s\n", from, ids[s.ID])
			}
		}
	}
	classes := map[string][]string{}
	for _, s := range p.Steps {
		if st := status[s.ID]; st != "" {
			classes[st] = append(classes[st], ids[s.ID])
		}
	}
	for _, c := range []struct{ status, style string }{
		{StepOK, "fill:#d4f7d4,stroke:#2a7a2a"},
		{StepFailed, "fill:#f8d0d0,stroke:#b00000,stroke-width:2px"},
		{StepInterrupted, "fill:#fde9c4,stroke:#b07000,stroke-width:2px"},
		{StepRolledBack, "fill:#e6d8f5,stroke:#6a3d9a"},
		{StepSkipped, "fill:#eeeeee,stroke:#999999"},
		{StepNotRun, "fill:#ffffff,stroke:#999999,stroke-dasharray:3 3"},
	} {
		if len(classes[c.status]) == 0 {
			continue
		}
		name := strings.ReplaceAll(c.status, "_", "")
		fmt.Fprintf(&b, "  classDef %s %s\n  class %s %s\n", name, c.style, strings.Join(classes[c.status], ","), name)
	}
	return b.String()
}

// labelEscaper is built once: a Replacer builds its tables on first use,
// and a large fleet's diagram has thousands of labels.
var labelEscaper = strings.NewReplacer(`"`, "#quot;", "\n", " ", "<", "#lt;", ">", "#gt;")

// label escapes text for a quoted Mermaid label.
func label(s string) string {
	return labelEscaper.Replace(s)
}
