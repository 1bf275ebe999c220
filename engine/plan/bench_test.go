package plan

import (
	"fmt"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
)

// benchFleets are the sizes `make bench` measures: small (System Manager,
// two SMs and a BSM), large (28 SMs in two clusters and 500 BSMs) and
// adversarial (28 SMs on distinct releases and SSP levels of lines that
// cannot move without a third: the order search is complete before it
// refuses).
func benchFleets() []struct {
	name string
	cfg  func() *eval.Config
} {
	return []struct {
		name string
		cfg  func() *eval.Config
	}{
		{"small", func() *eval.Config {
			c := newConfig("10.2.0.1")
			smgr(c, "10.1.3.0")
			cl := addCluster(c, "core")
			sm(cl, "sm1", "10.1.3.0", -1)
			sm(cl, "sm2", "10.1.3.0", -1)
			bsm(cl, "bsm1", "10.1.3.0", -1)
			return c
		}},
		{"large", func() *eval.Config {
			c := newConfig("10.2.0.1")
			smgr(c, "8.1.3.8")
			for ci := 0; ci < 2; ci++ {
				cl := addCluster(c, fmt.Sprintf("c%d", ci))
				for i := 0; i < 14; i++ {
					sm(cl, fmt.Sprintf("c%d-sm%02d", ci, i), "8.1.3.8", -1)
				}
				for i := 0; i < 250; i++ {
					bsm(cl, fmt.Sprintf("c%d-bsm%03d", ci, i), "8.1.3.8", -1)
				}
			}
			return c
		}},
		{"adversarial", func() *eval.Config {
			c := newConfig("10.2.0.1")
			smgr(c, "10.2.0.1")
			cl := addCluster(c, "big")
			for i := 0; i < 28; i++ {
				rel := fmt.Sprintf("8.1.%d.%d", i%4, i)
				if i%2 == 1 {
					rel = fmt.Sprintf("7.0.1.%d", i)
				}
				sm(cl, fmt.Sprintf("sm%02d", i), rel, i%3-1)
			}
			return c
		}},
	}
}

// BenchmarkPlan is the whole compile: nodes, hops, order search, steps,
// edges and guards.
func BenchmarkPlan(b *testing.B) {
	cat := catalog.Default()
	for _, f := range benchFleets() {
		b.Run(f.name, func(b *testing.B) {
			c := f.cfg()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Compile(c, cat, Options{})
			}
		})
	}
}

// BenchmarkOrderSearch times the order search transform alone; the
// transforms before it run untimed on a fresh builder each iteration.
func BenchmarkOrderSearch(b *testing.B) {
	cat := catalog.Default()
	for _, f := range benchFleets() {
		b.Run(f.name, func(b *testing.B) {
			c := f.cfg()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				bl := newBuilder(c, cat, Options{})
				var search transform
				for _, t := range transforms {
					if t.name == "order search" {
						search = t
						break
					}
					t.run(bl)
				}
				b.StartTimer()
				search.run(bl)
			}
		})
	}
}
