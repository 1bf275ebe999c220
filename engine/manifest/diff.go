package manifest

import (
	"fmt"
	"strings"
)

// Diff returns a unified diff (three lines of context) that turns a into b,
// headed "--- name" / "+++ name", or "" when they are equal. It backs
// `runbook fmt --diff`; manifests are small, so a plain Myers diff is enough.
func Diff(name string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	al, bl := splitLines(string(a)), splitLines(string(b))
	ops := myers(al, bl)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", name, name)
	const ctx = 3
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk starts ctx lines before the first change and runs until a
		// stretch of more than 2*ctx unchanged lines.
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		writeHunk(&sb, ops[start:end])
		i = end
	}
	return sb.String()
}

type diffOp struct {
	kind       byte // ' ', '-', '+'
	line       string
	aLine, bLn int // 1-based line numbers in a and b before this op
}

func writeHunk(sb *strings.Builder, ops []diffOp) {
	var ac, bc int
	for _, o := range ops {
		if o.kind != '+' {
			ac++
		}
		if o.kind != '-' {
			bc++
		}
	}
	as, bs := ops[0].aLine, ops[0].bLn
	if ac == 0 {
		as--
	}
	if bc == 0 {
		bs--
	}
	fmt.Fprintf(sb, "@@ -%d,%d +%d,%d @@\n", as, ac, bs, bc)
	for _, o := range ops {
		sb.WriteByte(o.kind)
		sb.WriteString(o.line)
		sb.WriteByte('\n')
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n\\ No newline at end of file"
	}
	return lines
}

// myers computes a shortest edit script from a to b.
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	maxD := n + m
	off := maxD + 1
	v := make([]int, 2*maxD+2)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int(nil), v...))
		done := false
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				done = true
				break
			}
		}
		if done {
			break
		}
	}
	var rev []diffOp
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		tv := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && tv[off+k-1] < tv[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := tv[off+pk]
		py := px - pk
		for x > px && y > py {
			rev = append(rev, diffOp{kind: ' ', line: a[x-1], aLine: x, bLn: y})
			x--
			y--
		}
		if d > 0 {
			if x == px {
				rev = append(rev, diffOp{kind: '+', line: b[py], aLine: x + 1, bLn: y})
			} else {
				rev = append(rev, diffOp{kind: '-', line: a[px], aLine: x, bLn: y + 1})
			}
		}
		x, y = px, py
	}
	ops := make([]diffOp, len(rev))
	for i := range rev {
		ops[i] = rev[len(rev)-1-i]
	}
	return ops
}
