package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/eval"
)

// benchManifest writes a manifest of the size `make bench` measures and
// returns its folder: small (System Manager, two SMs and a BSM), large (28
// SMs in two clusters and 500 BSMs), adversarial (as large, with the SMs
// alternating between two lines and the BSMs on the older, so most nodes
// take two hops and the order search has lines to interleave).
func benchManifest(b *testing.B, size string) string {
	b.Helper()
	var smRel, altRel, bsmRel string
	var clusters, sms, bsms int
	switch size {
	case "small":
		smRel, altRel, bsmRel, clusters, sms, bsms = "10.1.3.0", "10.1.3.0", "10.1.3.0", 1, 2, 1
	case "large":
		smRel, altRel, bsmRel, clusters, sms, bsms = "8.1.3.8", "8.1.3.8", "8.1.3.8", 2, 14, 250
	case "adversarial":
		smRel, altRel, bsmRel, clusters, sms, bsms = "7.0.1.3", "10.1.0.0", "7.0.1.3", 2, 14, 250
	}
	var src strings.Builder
	fmt.Fprintf(&src, `runbook "bench" {
  change_id = "CHG1"
  target    = "10.2.0.1"
}

connection "default" {
  user             = "cust"
  private_key_file = "~/.ssh/id_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
}

system_manager "smgr" {
  host     = "smgr.example.net"
  release  = %q
  platform = "vmware"
}
`, "10.2.0.1")
	for c := 0; c < clusters; c++ {
		fmt.Fprintf(&src, "\ncluster \"c%d\" {\n", c)
		for i := 0; i < sms; i++ {
			rel := smRel
			if i%2 == 1 {
				rel = altRel
			}
			peer := i ^ 1
			if peer >= sms {
				peer = 0
			}
			fmt.Fprintf(&src, "  session_manager \"c%d-sm%02d\" {\n    host      = \"c%d-sm%02d.example.net\"\n    release   = %q\n    platform  = \"vmware\"\n    secondary = \"c%d-sm%02d\"\n  }\n",
				c, i, c, i, rel, c, peer)
		}
		for i := 0; i < bsms; i++ {
			fmt.Fprintf(&src, "  branch_session_manager \"c%d-bsm%03d\" {\n    host     = \"c%d-bsm%03d.example.net\"\n    release  = %q\n    platform = \"vmware\"\n  }\n",
				c, i, c, i, bsmRel)
		}
		src.WriteString("}\n")
	}
	dir := filepath.Join(b.TempDir(), size)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "upgrade.hcl"), []byte(src.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

var benchSizes = []string{"small", "large", "adversarial"}

// BenchmarkLoad reads, parses and evaluates a manifest.
func BenchmarkLoad(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			dir := benchManifest(b, size)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, diags := eval.Load(eval.LoadOptions{Path: dir}); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}

// BenchmarkDryRun is `runbook apply --dry-run` (offline: no connection)
// in-process: load, plan, and the engine's walk with predicted facts.
func BenchmarkDryRun(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			dir := benchManifest(b, size)
			records := b.TempDir()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				std := &stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard, env: testEnv(), ctx: b.Context(), width: 100}
				if code := exitCode(run([]string{"apply", "--dry-run", "--no-color", "--records", records, dir}, std), io.Discard); code != 0 {
					b.Fatalf("dry-run exit %d", code)
				}
			}
		})
	}
}
