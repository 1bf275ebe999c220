package eval

import (
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine/manifest"
)

// FailBudget is policy.max_failed_branches: how many Branch Session Manager
// nodes of a run may fail before no new one starts (Ansible's
// max_fail_percentage). Unset, the first failure halts as any other.
type FailBudget struct {
	Set bool
	// Count is the number of failed BSMs tolerated; with Percent, the
	// percentage of the run's BSMs.
	Count   int
	Percent bool
}

// Exceeded reports whether failed BSMs out of total BSMs in the run are past
// the budget: more than Count, or more than Percent % of total.
func (b FailBudget) Exceeded(failed, total int) bool {
	if !b.Set {
		return failed > 0
	}
	if b.Percent {
		return failed*100 > b.Count*total
	}
	return failed > b.Count
}

// String is the budget as written ("2", "10%").
func (b FailBudget) String() string {
	if b.Percent {
		return strconv.Itoa(b.Count) + "%"
	}
	return strconv.Itoa(b.Count)
}

// failBudget reads policy.max_failed_branches: a whole number of BSMs, or a
// percentage string such as "10%".
func (e *evaluator) failBudget(b *manifest.Block, p *Policy) {
	const name = "max_failed_branches"
	s, ok := e.str(b, name)
	if !ok {
		return
	}
	rng := b.Attr(name).Expr.Range()
	text, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	n, err := strconv.Atoi(strings.TrimSpace(text))
	switch {
	case err != nil || n < 0:
		e.errorf(rng.Ptr(), "Invalid failure budget",
			`%s is a count of failed branches (max_failed_branches = 2) or a percentage of the run's branches (max_failed_branches = "10%%"), not %q.`, name, s)
		return
	case pct && n > 100:
		e.errorf(rng.Ptr(), "Invalid failure budget", `%s = "%s": a percentage is at most 100%%.`, name, s)
		return
	}
	p.MaxFailedBranches = FailBudget{Set: true, Count: n, Percent: pct}
}
