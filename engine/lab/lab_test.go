package lab

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/modules/sm/sim"
)

func TestStartServesEveryNodeOverVerifiedSSH(t *testing.T) {
	l := startLab(t, testConfig(""))
	if got := l.Nodes(); len(got) != 2 || got[0] != "sm-dal" || got[1] != "sm-chi" {
		t.Fatalf("Nodes() = %v", got)
	}
	for _, node := range l.Nodes() {
		host, _, err := net.SplitHostPort(l.Addr(node))
		if err != nil || host != "127.0.0.1" {
			t.Fatalf("%s listens on %q, want 127.0.0.1", node, l.Addr(node))
		}
		out, _, code, err := run(t, dial(t, l, node), "bash -lc swversion")
		if err != nil || code != 0 || !strings.Contains(out, "Release: 8.1.3.8") {
			t.Errorf("%s: swversion = %q, code %d, err %v", node, out, code, err)
		}
	}
	// The lab block reached the simulator; an undeclared SSP starts at 0.
	snap, err := l.Show("sm-chi")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Users != 250 || snap.SSP != 0 || snap.Faults["backup"].Kind != "hang" {
		t.Errorf("sm-chi = users %d, ssp %d, faults %v", snap.Users, snap.SSP, snap.Faults)
	}
	if dal, _ := l.Show("sm-dal"); dal.SSP != 41 || dal.Users != defaultUsers {
		t.Errorf("sm-dal = ssp %d, users %d", dal.SSP, dal.Users)
	}
}

func TestExitStatusReachesClient(t *testing.T) {
	l := startLab(t, testConfig(""))
	_, errOut, code, err := run(t, dial(t, l, "sm-dal"), "test -f /no/such/file")
	if err != nil || code != 1 {
		t.Fatalf("test -f = code %d, err %v, stderr %q", code, err, errOut)
	}
}

func TestWrongHostKeyIsRefused(t *testing.T) {
	l := startLab(t, testConfig(""))
	// A known_hosts that names sm-chi's key for sm-dal's address.
	bad := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(l.Addr("sm-dal"))}, l.hostPublicKey("sm-chi"))
	if err := os.WriteFile(bad, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ssh.Dial("tcp", l.Addr("sm-dal"), clientConfig(t, l, bad))
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		t.Fatalf("dial with a wrong host key: err = %v, want a knownhosts key mismatch", err)
	}
}

func TestAuthentication(t *testing.T) {
	l := startLab(t, testConfig(""))
	cfg := clientConfig(t, l, l.KnownHostsFile())
	cfg.Auth = []ssh.AuthMethod{ssh.Password(testPassword)}
	c, err := ssh.Dial("tcp", l.Addr("sm-dal"), cfg)
	if err != nil {
		t.Fatalf("the manifest's password is refused: %v", err)
	}
	c.Close()
	cfg.Auth = []ssh.AuthMethod{ssh.Password("not-the-password")}
	if c, err := ssh.Dial("tcp", l.Addr("sm-dal"), cfg); err == nil {
		c.Close()
		t.Fatal("a wrong password is accepted")
	}
	other, err := newHostKey() // any key but the lab's
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth = []ssh.AuthMethod{ssh.PublicKeys(other)}
	if c, err := ssh.Dial("tcp", l.Addr("sm-dal"), cfg); err == nil {
		c.Close()
		t.Fatal("an unknown client key is accepted")
	}
}

func TestKnownHostsNamesEveryNode(t *testing.T) {
	l := startLab(t, testConfig(""))
	b, err := os.ReadFile(l.KnownHostsFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, node := range l.Nodes() {
		if !strings.Contains(string(b), knownhosts.Normalize(l.Addr(node))+" ssh-ed25519 ") {
			t.Errorf("known_hosts lacks %s (%s):\n%s", node, l.Addr(node), b)
		}
	}
	if st, err := os.Stat(l.KeyFile()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("client key %s: %v, mode %v", l.KeyFile(), err, st.Mode())
	}
	for _, node := range l.Nodes() {
		if _, err := sim.Load(l.StateDir(node)); err != nil {
			t.Errorf("%s: %v", node, err)
		}
	}
}

func TestReuseKeepsNodeState(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig("")
	l, err := Start(t.Context(), cfg, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.ClearFault(l.StateDir("sm-chi"), ""); err != nil {
		t.Fatal(err)
	}
	oldKH := l.hostPublicKey("sm-dal")
	l.Close()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("a given lab directory was removed: %v", err)
	}

	l2, err := Start(t.Context(), cfg, Options{Dir: dir, Reuse: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if snap, _ := l2.Show("sm-chi"); len(snap.Faults) != 0 {
		t.Errorf("Reuse re-armed the faults: %v", snap.Faults)
	}
	if string(l2.hostPublicKey("sm-dal").Marshal()) == string(oldKH.Marshal()) {
		t.Error("host keys are reused across starts")
	}
	if out, _, code, err := run(t, dial(t, l2, "sm-dal"), "bash -lc swversion"); err != nil || code != 0 || !strings.Contains(out, "8.1.3.8") {
		t.Errorf("reused node: %q %d %v", out, code, err)
	}

	l3, err := Start(t.Context(), cfg, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l3.Close()
	if snap, _ := l3.Show("sm-chi"); snap.Faults["backup"].Kind != "hang" {
		t.Errorf("without Reuse the node is not reset: faults %v", snap.Faults)
	}
}

func TestClustersOptionKeepsSMGR(t *testing.T) {
	cfg := testConfig("")
	cfg.SMGR = &eval.Node{Name: "smgr", Kind: eval.KindSMGR, Cluster: "smgr", Host: "smgr.example.net", Release: "10.1.3.0", SSP: -1}
	cfg.Clusters = append(cfg.Clusters, &eval.Cluster{Name: "branch", Nodes: []*eval.Node{
		{Name: "bsm-austin", Kind: eval.KindBSM, Cluster: "branch", Host: "bsm-austin.example.net", Release: "8.1.3.8", SSP: -1},
	}})
	l := startLabOpts(t, cfg, Options{Clusters: []string{"branch"}})
	if got := l.Nodes(); len(got) != 2 || got[0] != "smgr" || got[1] != "bsm-austin" {
		t.Errorf("Nodes() = %v, want smgr and the branch cluster only", got)
	}
	if _, err := l.Redirect(manifestTarget("sm-dal")); err == nil {
		t.Error("a node outside the selected clusters is reachable")
	}
}
