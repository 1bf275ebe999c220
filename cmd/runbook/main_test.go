package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
)

// binPath is the runbook binary built once by TestMain, for the tests where a
// real process matters: signals and the pseudo-terminal.
var binPath string

// examples is the repository's examples folder as seen from the package
// folder (the tests' working directory), so diagnostics name stable paths.
const examples = "../../examples"

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "runbook-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "runbook")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building runbook: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a run's
// renderer and its clusters.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is the process environment without RUNBOOK_VAR_ variables, so a
// developer's shell cannot change what the tests see.
func testEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RUNBOOK_VAR_") {
			env = append(env, kv)
		}
	}
	return env
}

// runCLI runs the CLI in-process, as main does, and returns what it printed
// and its exit code. dir is only used to name paths in failure messages;
// callers pass absolute paths (the tests run in parallel and never chdir).
func runCLI(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIWith(t, context.Background(), "", args...)
}

// runCLIWith is runCLI with a context and stdin text.
func runCLIWith(t *testing.T, ctx context.Context, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb syncBuffer
	io := &stdio{
		in: strings.NewReader(stdin), out: &out, err: &errb, env: testEnv(),
		ctx: ctx, width: 100,
	}
	code := exitCode(run(args, io), &errb)
	return out.String(), errb.String(), code
}

// wantCode fails the test with the command's output when the exit code
// differs.
func wantCode(t *testing.T, got, want int, stdout, stderr string, args ...string) {
	t.Helper()
	if got != want {
		t.Fatalf("runbook %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, want, tail(stdout, 4000), tail(stderr, 4000))
	}
}

// tail is the end of s, for failure messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// golden compares got with testdata/golden/NAME.golden, or writes it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", "golden", name+".golden"), []byte(got))
}
