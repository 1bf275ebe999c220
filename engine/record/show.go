package record

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/engine/plan"
)

// Render prints one record for a terminal: the content of record.md as text
// (without the diagram). A record a killed run never finished is rebuilt
// from plan.json and the journal, and says so.
func Render(w io.Writer, dir string) error {
	run, p, err := Load(dir)
	if err != nil {
		return err
	}
	return RenderRun(w, run, p)
}

// RenderRun prints a loaded record; see Render.
func RenderRun(w io.Writer, run *Run, p *plan.Plan) error {
	var buf bytes.Buffer
	renderRun(&buf, run, p)
	// tabwriter pads empty last cells; trailing blanks only annoy diffs.
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "\n"), " ") + l[len(strings.TrimSuffix(l, "\n")):]
	}
	_, err := io.WriteString(w, strings.Join(lines, ""))
	return err
}

func renderRun(w io.Writer, run *Run, _ *plan.Plan) {
	ew := &errWriter{w: w}
	change := run.ChangeID
	if change == "" {
		change = noChangeName
	}
	ew.printf("Change %s (%s) — %s\n", change, dash(run.Mode), run.Status)
	if run.Reconstructed {
		ew.printf("  (rebuilt from plan.json and journal.jsonl: the run ended without writing its record)\n")
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"runbook", dash(run.Runbook)}, {"who", dash(run.Who)}, {"started", fmtTime(run.Started)},
		{"ended", fmtTime(run.Ended)}, {"duration", fmtDur(run.Duration().Milliseconds())},
		{"manifest sha256", dash(run.ManifestSHA256)}, {"plan sha256", dash(run.PlanSHA256)},
	} {
		fmt.Fprintf(tw, "  %s:\t%s\n", kv[0], kv[1])
	}
	tw.Flush()
	for _, n := range run.Nodes {
		ew.printf("\nNode %s (%s, cluster %s, %s -> %s)\n", n.Name, dash(n.Kind), dash(n.Cluster), dash(n.Release), dash(n.Target))
		if !n.hasFacts() {
			ew.printf("  no facts gathered\n")
			continue
		}
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  FACT\tBEFORE\tAFTER")
		for _, f := range factRows(n) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.name, f.before, f.after)
		}
		tw.Flush()
	}
	ew.printf("\nSteps\n")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  STEP\tSTATUS\tSTART\tDURATION\tEXIT\tSUMMARY")
	for _, s := range run.Steps {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Status, fmtTime(s.Start), stepDur(s), exitStr(s.ExitCode), oneLine(s.Summary))
	}
	tw.Flush()
	if run.Mode == ModeDryRun {
		// A dry run's point is the commands it would run, in order.
		for _, s := range run.Steps {
			if len(s.Commands) == 0 {
				continue
			}
			ew.printf("\n%s would run:\n", s.ID)
			for _, c := range s.Commands {
				ew.printf("    %s\n", c)
			}
		}
	}
	if len(run.Guards) > 0 {
		ew.printf("\nGuards\n")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  GUARD\tVERDICT\tNODE\tSTEP\tMESSAGE")
		for _, g := range run.Guards {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", g.ID, g.Verdict, dash(g.Node), dash(g.Step), oneLine(g.Message))
		}
		tw.Flush()
	}
	if fs := run.failures(); len(fs) > 0 || len(run.Errors) > 0 {
		ew.printf("\nFailures\n")
		for _, s := range fs {
			ew.printf("  %s %s: %s\n", s.ID, s.Status, oneLine(dash(s.Error)))
		}
		for _, e := range run.Errors {
			ew.printf("  %s\n", oneLine(e))
		}
	}
	if len(run.Rollback) > 0 {
		ew.printf("\nRollback\n")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  TIME\tNODE\tSTEP\tACTION\tSTATUS\tMESSAGE")
		for _, a := range run.Rollback {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", fmtTime(a.Time), a.Node, dash(a.Step), a.Action, a.Status, oneLine(a.Message))
		}
		tw.Flush()
	}
	ew.printf("\nFinal status: %s\n", run.Status)
}

// errWriter keeps the first write error so rendering code stays linear
// (RenderRun writes to memory first, so the error is checked once, at the end).
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
