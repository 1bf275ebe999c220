package eval_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/manifest"
)

// localsManifest is a manifest with n locals, each but the first referring
// to the one before it and to the first, written in reverse order so that
// evaluation has to follow the references rather than the file.
func localsManifest(n int) map[string][]byte {
	var b strings.Builder
	b.WriteString(minimal)
	b.WriteString("locals {\n  l0 = 1\n")
	for i := n - 1; i > 0; i-- {
		fmt.Fprintf(&b, "  l%d = local.l%d + local.l0\n", i, i-1)
	}
	b.WriteString("}\n")
	return map[string][]byte{"main.hcl": []byte(b.String())}
}

// BenchmarkLocals measures evaluating n chained locals (the manifest is
// parsed once, outside the timing). Evaluation is linear in the number of
// locals: the time per op at 10k is about ten times the time at 1k.
func BenchmarkLocals(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			m, diags := manifest.Parse(localsManifest(n))
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if diags := eval.Evaluate(m, &eval.Config{}, eval.LoadOptions{}); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}

// allocated is the number of bytes evaluating m allocates.
func allocated(t *testing.T, m *manifest.Manifest) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if diags := eval.Evaluate(m, &eval.Config{}, eval.LoadOptions{}); diags.HasErrors() {
		t.Fatal(diags)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLocalsLinearMemory checks that the work of evaluating locals grows
// linearly with their number, measured in bytes allocated (deterministic,
// unlike time): four times the locals may allocate about four times as
// much, not sixteen times as a quadratic evaluation does. The timing is
// BenchmarkLocals.
func TestLocalsLinearMemory(t *testing.T) {
	small, diags := manifest.Parse(localsManifest(1000))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	large, diags := manifest.Parse(localsManifest(4000))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, b := allocated(t, small), allocated(t, large)
	if ratio := float64(b) / float64(a); ratio > 6 {
		t.Errorf("4000 locals allocate %.1f times what 1000 do (%d vs %d bytes): evaluation is not linear", ratio, b, a)
	}
}

// TestLocalsOrderAndValues checks the values of a long chain written in
// reverse order: each local is evaluated after the ones it refers to.
func TestLocalsOrderAndValues(t *testing.T) {
	cfg, diags := eval.Load(eval.LoadOptions{Files: localsManifest(3000)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	v := cfg.Ctx.Variables["local"].GetAttr("l2999")
	if f, _ := v.AsBigFloat().Int64(); f != 3000 {
		t.Errorf("local.l2999 = %v, want 3000", v)
	}
}
