package lab

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/engine/eval"
)

const testPassword = "lab-s3cret-pw"

// testConfig is a small manifest: two session managers in one cluster, a
// default connection with a password, and a lab block that arms a hang on
// sm-chi's backup.
func testConfig(dir string) *eval.Config {
	return &eval.Config{
		Runbook: eval.Runbook{Name: "lab-test", Target: "10.2.0.1"},
		Dir:     dir,
		Connections: map[string]*eval.Connection{
			"default": {Name: "default", User: "cust", Port: 22, Password: testPassword,
				KnownHostsFile: "~/.ssh/known_hosts", HostKeyCheck: "strict", Jump: "ops@bastion.example.net:22"},
		},
		Clusters: []*eval.Cluster{{Name: "core", Nodes: []*eval.Node{
			{Name: "sm-dal", Kind: eval.KindSM, Cluster: "core", Host: "sm-dal.example.net", Release: "8.1.3.8", SSP: 41, Platform: "vmware", Secondary: "sm-chi"},
			{Name: "sm-chi", Kind: eval.KindSM, Cluster: "core", Host: "sm-chi.example.net", Release: "8.1.3.8", SSP: -1, Platform: "vmware", Secondary: "sm-dal"},
		}}},
		Lab: &eval.Lab{Nodes: map[string]*eval.LabNode{
			"sm-chi": {Users: 250, Hang: "backup", ActiveCalls: 3},
		}},
	}
}

// startLab starts a lab for cfg and closes it when the test ends.
func startLab(t *testing.T, cfg *eval.Config) *Lab {
	t.Helper()
	return startLabOpts(t, cfg, Options{})
}

// startLabOpts is startLab with options; Dir defaults to a test folder.
func startLabOpts(t *testing.T, cfg *eval.Config, opts Options) *Lab {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	l, err := Start(context.Background(), cfg, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// clientConfig authenticates with the lab key and verifies the host key
// against known_hosts file kh.
func clientConfig(t *testing.T, l *Lab, kh string) *ssh.ClientConfig {
	t.Helper()
	pem, err := os.ReadFile(l.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	return &ssh.ClientConfig{User: "cust", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: cb, Timeout: 10 * time.Second}
}

// dial connects to a node with a plain x/crypto client.
func dial(t *testing.T, l *Lab, node string) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", l.Addr(node), clientConfig(t, l, l.KnownHostsFile()))
	if err != nil {
		t.Fatalf("dial %s: %v", node, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// run executes one command and returns stdout, stderr and the exit status
// (-1 with the error when the session did not end with a status).
func run(t *testing.T, c *ssh.Client, line string) (string, string, int, error) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(line)
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0, nil
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitStatus(), nil
	}
	return out.String(), errb.String(), -1, err
}

// waitFaultTaken waits until the node consumed the fault armed on phase:
// the command that hit it is now misbehaving. The test's own timeout bounds
// the wait; nothing here measures time.
func waitFaultTaken(l *Lab, node, phase string) error {
	for {
		snap, err := l.Show(node)
		if err != nil {
			return err
		}
		if _, armed := snap.Faults[phase]; !armed {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
}
