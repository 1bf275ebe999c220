package sim

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// fast makes simulated durations tiny; tests never assert on timing.
var fast = Env{TimeScale: 0.01}

func newNode(t *testing.T, o Options) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sm1")
	if o.Kind == "" {
		o.Kind = KindSM
	}
	if err := Init(dir, o); err != nil {
		t.Fatal(err)
	}
	return dir
}

type run struct {
	code           int
	stdout, stderr string
	dropped        bool
}

func execLine(t *testing.T, dir, line, stdin string) run {
	t.Helper()
	return execIn(t, dir, line, stdin, fast)
}

// execEnv runs line with env instead of the default fast one.
func execEnv(t *testing.T, dir, line string, env Env) run {
	t.Helper()
	return execIn(t, dir, line, "", env)
}

func execIn(t *testing.T, dir, line, stdin string, env Env) run {
	t.Helper()
	var out, errb bytes.Buffer
	r := run{}
	env.Reboot = func() { r.dropped = true }
	r.code = Exec(context.Background(), dir, line, strings.NewReader(stdin), &out, &errb, env)
	r.stdout, r.stderr = out.String(), errb.String()
	return r
}

func mustOK(t *testing.T, dir, line string) run {
	t.Helper()
	r := execLine(t, dir, line, "")
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", line, r.code, r.stdout, r.stderr)
	}
	return r
}

func show(t *testing.T, dir string) Snapshot {
	t.Helper()
	s, err := Show(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// media writes a medium into the node's media dir and returns its node path and sha256.
func media(t *testing.T, dir string, m Media) (string, string) {
	t.Helper()
	name := m.Kind + "-" + m.Release + ".bin"
	n := &node{dir: dir}
	sum, err := WriteMedia(n.path(MediaDir+"/"+name), m)
	if err != nil {
		t.Fatal(err)
	}
	return MediaDir + "/" + name, sum
}
