package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/engine/plan"
)

// WriteMarkdown writes record.md (0600), the human summary a reviewer reads
// in the change's git history: who, when, hashes, facts before/after, every
// step, guard verdicts, failures, rollback, the plan as a Mermaid diagram and
// the final status. p may be nil (no diagram).
//
// Redaction happens on the data before rendering, not only on the text
// after: Markdown escapes '|' and folds whitespace in table cells, which
// would turn a secret holding those into a form a text pass no longer finds.
func WriteMarkdown(dir string, run *Run, p *plan.Plan, r *Redactor) error {
	var rp *plan.Plan
	rrun := &Run{}
	if err := redactCopy(r, run, rrun); err != nil {
		return err
	}
	if p != nil {
		rp = &plan.Plan{}
		if err := redactCopy(r, p, rp); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(dir, RecordMD), r.Bytes(Markdown(rrun, rp)))
}

// redactCopy deep-copies src into dst through JSON, redacting every string.
func redactCopy(r *Redactor, src, dst any) error {
	b, err := json.Marshal(src)
	if err != nil {
		return r.Err(err)
	}
	return r.Err(json.Unmarshal(r.JSON(b), dst))
}

// Markdown renders the record as Markdown. It does not redact: the values in
// run are expected to be redacted already or to pass through a Redactor.
func Markdown(run *Run, p *plan.Plan) []byte {
	var b bytes.Buffer
	title := run.ChangeID
	if title == "" {
		title = noChangeName
	}
	fmt.Fprintf(&b, "# Change record %s — %s\n\n", title, run.Mode)
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"Runbook", run.Runbook}, {"Status", "**" + run.Status + "**"}, {"Mode", run.Mode},
		{"Who", run.Who}, {"Started", fmtTime(run.Started)}, {"Ended", fmtTime(run.Ended)},
		{"Duration", fmtDur(run.Duration().Milliseconds())},
		{"Manifest sha256", "`" + dash(run.ManifestSHA256) + "`"}, {"Plan sha256", "`" + dash(run.PlanSHA256) + "`"},
	} {
		fmt.Fprintf(&b, "| %s | %s |\n", kv[0], cell(kv[1]))
	}
	if run.Reconstructed {
		b.WriteString("\n> Rebuilt from plan.json and journal.jsonl: the run ended without writing its record.\n")
	}
	if len(run.Nodes) > 0 {
		b.WriteString("\n## Nodes\n")
		for _, n := range run.Nodes {
			fmt.Fprintf(&b, "\n### %s (%s, cluster %s, %s → %s)\n\n", n.Name, n.Kind, dash(n.Cluster), dash(n.Release), dash(n.Target))
			if !n.hasFacts() {
				b.WriteString("No facts gathered.\n")
				continue
			}
			b.WriteString("| fact | before | after |\n|---|---|---|\n")
			for _, f := range factRows(n) {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", f.name, cell(f.before), cell(f.after))
			}
		}
	}
	b.WriteString("\n## Steps\n\n| step | node | phase | hop | status | start | duration | exit | summary |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range run.Steps {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d | %s | %s | %s | %s | %s |\n", s.ID, cell(s.Node), cell(s.Phase), s.Hop.Index,
			s.Status, fmtTime(s.Start), stepDur(s), exitStr(s.ExitCode), cell(s.Summary))
	}
	if len(run.Guards) > 0 {
		b.WriteString("\n## Guard verdicts\n\n| guard | node | step | verdict | message |\n|---|---|---|---|---|\n")
		for _, g := range run.Guards {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", g.ID, cell(dash(g.Node)), cell(dash(g.Step)), g.Verdict, cell(g.Message))
		}
	}
	if fs := run.failures(); len(fs) > 0 || len(run.Errors) > 0 {
		b.WriteString("\n## Failures\n\n")
		for _, s := range fs {
			fmt.Fprintf(&b, "- `%s` %s: %s\n", s.ID, s.Status, oneLine(dash(s.Error)))
		}
		for _, e := range run.Errors {
			fmt.Fprintf(&b, "- %s\n", oneLine(e))
		}
	}
	if len(run.Rollback) > 0 {
		b.WriteString("\n## Rollback\n\n| time | node | step | action | status | message |\n|---|---|---|---|---|---|\n")
		for _, a := range run.Rollback {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", fmtTime(a.Time), cell(a.Node), cell(dash(a.Step)), cell(a.Action), a.Status, cell(a.Message))
		}
	}
	writeCommandsMD(&b, run)
	if p != nil && len(p.Steps) > 0 {
		b.WriteString("\n## Plan\n\n```mermaid\n")
		b.WriteString(Mermaid(p, run))
		b.WriteString("```\n")
	}
	fmt.Fprintf(&b, "\n**Final status: %s**\n", run.Status)
	return b.Bytes()
}

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

// writeCommandsMD lists each step's command lines: what ran where (or, in a
// dry run, what would have run), for the audit.
func writeCommandsMD(b *bytes.Buffer, run *Run) {
	header := false
	for _, s := range run.Steps {
		if len(s.Commands) == 0 {
			continue
		}
		if !header {
			b.WriteString("\n## Commands\n")
			header = true
		}
		fmt.Fprintf(b, "\n`%s`\n\n```sh\n", s.ID)
		for _, c := range s.Commands {
			b.WriteString(strings.ReplaceAll(c, "```", "` ` `") + "\n")
		}
		b.WriteString("```\n")
	}
}
