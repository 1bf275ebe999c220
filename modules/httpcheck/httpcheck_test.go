package httpcheck_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/internal/testkit"
	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/dryrun"
	"github.com/runbook-dev/runbook/modules/httpcheck"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

// hostile is a URL whose query would be shell syntax if it were not quoted.
const hostile = "https://sm-dal.example.net/health?q=a'b;touch${IFS}pwned&x=$(id)"

func task(args map[string]string) modules.Task {
	return modules.Task{Node: "sm-dal", Args: args}
}

// node is a simulated node; realShell says whether the test host stands for
// the node, so that a command the simulator does not model runs here (as
// behind smsim serve) instead of being refused.
func node(t *testing.T, realShell bool) *sim.LocalConn {
	t.Helper()
	_, c := testkit.SimNode(t, "sm-dal", sim.Options{}, sim.Env{TimeScale: 0.01, RealShell: realShell})
	return c
}

// fakeCurl puts a curl on PATH that writes its arguments, one a line, to
// the returned file, prints status and exits with code.
func fakeCurl(t *testing.T, status, code string) string {
	t.Helper()
	bin := t.TempDir()
	argv := filepath.Join(bin, "argv")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argv + "\nprintf " + status + "\n" +
		"[ " + code + " = 0 ] || echo 'curl: (22) The requested URL returned error: 503' >&2\nexit " + code + "\n"
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	return argv
}

func TestCommandQuotesTheURL(t *testing.T) {
	got, err := httpcheck.Module{}.Commands(task(map[string]string{"url": hostile, "timeout": "2500ms", "insecure": "true"}))
	want := `curl -fsS -k --max-time 2.5 -o /dev/null -w '%{http_code}' 'https://sm-dal.example.net/health?q=a'"'"'b;touch${IFS}pwned&x=$(id)'`
	if err != nil || len(got) != 1 || got[0] != want {
		t.Fatalf("got %q %v\nwant %q", got, err, want)
	}
	got, _ = httpcheck.Module{}.Commands(task(map[string]string{"url": "http://sm-dal.example.net:8080/", "insecure": "false"}))
	if got[0] != `curl -fsS --max-time 10 -o /dev/null -w '%{http_code}' http://sm-dal.example.net:8080/` {
		t.Fatalf("defaults: %q", got)
	}
}

func TestRefusesBadArguments(t *testing.T) {
	for _, args := range []map[string]string{
		{"url": "-K/etc/passwd"},
		{"url": "file:///etc/shadow"},
		{"url": "sm-dal.example.net/health"},
		{"url": "https://sm-dal.example.net/", "timeout": "0s"},
		{"url": "https://sm-dal.example.net/", "timeout": "soon"},
	} {
		if got, err := (httpcheck.Module{}).Commands(task(args)); err == nil {
			t.Errorf("%v accepted: %q", args, got)
		}
	}
}

// Through a real shell on the node, curl receives the URL as one argument,
// byte for byte, and its exit status decides the step.
func TestRemoteShellPassesTheURLAsOneArgument(t *testing.T) {
	argv := fakeCurl(t, "200", "0")
	out, err := httpcheck.Module{}.Run(context.Background(), node(t, true), task(map[string]string{"url": hostile}))
	if err != nil || out.Summary != "HTTP 200" || out.Values["status"] != "200" {
		t.Fatalf("%+v %v", out, err)
	}
	b, _ := os.ReadFile(argv)
	want := strings.Join([]string{"-fsS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", hostile}, "\n") + "\n"
	if string(b) != want {
		t.Fatalf("curl got\n%s\nwant\n%s", b, want)
	}

	fakeCurl(t, "503", "22")
	_, err = httpcheck.Module{}.Run(context.Background(), node(t, true), task(map[string]string{"url": "https://sm-dal.example.net/health"}))
	var ce *httpcheck.CheckError
	if !errors.As(err, &ce) || ce.ExitCode != 22 || !strings.Contains(ce.Output, "error: 503") {
		t.Fatalf("failed check: %v", err)
	}
}

// In the lab the node is simulated and does not model curl: the check runs
// nowhere (not on the controller either) and says so.
func TestNotExecutedInTheLab(t *testing.T) {
	argv := fakeCurl(t, "200", "0")
	c := node(t, false)
	out, err := httpcheck.Module{}.Run(context.Background(), c, task(map[string]string{"url": hostile}))
	cmds, _ := httpcheck.Module{}.Commands(task(map[string]string{"url": hostile}))
	if err != nil || out.Values["not_executed"] != "true" || out.Summary != "not executed in the lab: "+cmds[0] {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := os.Stat(argv); !os.IsNotExist(err) {
		t.Fatalf("curl ran on the controller: %v", err)
	}
}

// A dry-run records the check and sends nothing.
func TestDryRunRecordsTheCheck(t *testing.T) {
	argv := fakeCurl(t, "200", "0")
	gate := dryrun.Wrap(node(t, true), "sm-dal", nil)
	out, err := httpcheck.Module{}.Run(context.Background(), gate, task(map[string]string{"url": hostile}))
	rec := gate.Recorded()
	cmds, _ := httpcheck.Module{}.Commands(task(map[string]string{"url": hostile}))
	if err != nil || out.Summary != "dry-run: recorded" || len(rec) != 1 || rec[0].Line != cmds[0] {
		t.Fatalf("%+v %v %+v", out, err, rec)
	}
	if _, err := os.Stat(argv); !os.IsNotExist(err) {
		t.Fatalf("dry-run ran curl: %v", err)
	}
}
