package lab

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func TestStartSynthesizesAbsentMedia(t *testing.T) {
	mdir := t.TempDir()
	present := filepath.Join(mdir, "present.bin")
	if err := os.WriteFile(present, []byte("operator's own medium"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(mdir)
	cfg.Artifacts = []*eval.Artifact{
		{Name: "sm-10-2", Kind: "release", Product: "session_manager", Release: "10.2.0.1", File: "media/Session_Manager_10.2.0.1.0.bin", SHA256: "declared"},
		{Name: "ssp-8-1", Kind: "ssp", Release: "8.1.3.8", File: "media/ssp.bin"},
		{Name: "own", Kind: "release", Release: "10.2.0.1", File: "present.bin", SHA256: "kept"},
	}
	l := startLab(t, cfg)
	got := l.Synthesized()
	if len(got) != 2 || got[0].Artifact != "sm-10-2" || got[1].Artifact != "ssp-8-1" {
		t.Fatalf("Synthesized() = %+v", got)
	}
	for i, s := range got {
		a := cfg.Artifacts[i]
		if a.File != s.File || a.SHA256 != s.SHA256 || !strings.HasPrefix(s.File, l.Dir()) {
			t.Errorf("artifact %s not pointed at its medium: %+v vs %+v", a.Name, a, s)
		}
		if sum, err := sim.FileSHA256(s.File); err != nil || sum != s.SHA256 {
			t.Errorf("%s: sha256 %s, want %s (%v)", s.File, sum, s.SHA256, err)
		}
		if filepath.Base(s.File) != filepath.Base(s.Declared) {
			t.Errorf("medium %s does not keep the declared name %s", s.File, s.Declared)
		}
	}
	m, err := sim.ReadMedia(got[1].File)
	want, _ := catalog.Default().LatestSSP(catalog.ProductSM, "8.1.3.8")
	if err != nil || m.Kind != "ssp" || m.SSP != want || m.Product != sim.KindSM {
		t.Errorf("ssp medium = %+v, %v; want the catalog's latest SSP %d", m, err, want)
	}
	if cfg.Artifacts[2].File != "present.bin" || cfg.Artifacts[2].SHA256 != "kept" {
		t.Errorf("a present artifact was replaced: %+v", cfg.Artifacts[2])
	}
	var out bytes.Buffer
	if err := l.Describe(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sm-dal", "sm-chi", l.Addr("sm-dal"), l.KnownHostsFile(), l.KeyFile(), l.StateDir("sm-chi"), "synthesized media for ssp-8-1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Describe lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSynthesizeMediaNeedsAKnownSSP(t *testing.T) {
	cfg := &eval.Config{Artifacts: []*eval.Artifact{{Name: "x", Kind: "ssp", Release: "6.3.1.0", File: "nope.bin"}}}
	if _, err := SynthesizeMedia(cfg, t.TempDir(), catalog.Default()); err == nil || !strings.Contains(err.Error(), "artifact x") {
		t.Fatalf("err = %v, want an error naming the artifact", err)
	}
}

func TestStartRejectsBadLabFault(t *testing.T) {
	cfg := testConfig("")
	cfg.Lab.Nodes["sm-dal"] = &eval.LabNode{Fail: "lunch"}
	if l, err := Start(t.Context(), cfg, Options{Dir: t.TempDir()}); err == nil {
		l.Close()
		t.Fatal("a fault on an unknown phase was accepted")
	}
}
