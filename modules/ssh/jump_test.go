package ssh

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

func TestJumpHost(t *testing.T) {
	bastion := sshdtest.Start(t, sshdtest.Options{AllowTCPForwarding: true})
	node := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{bastion.ClientSigner.PublicKey()}})
	tg := bastion.Target("sm1")
	tg.Port = node.Port // the node is only reached through the bastion
	tg.Jump = bastion.User + "@" + bastion.Addr
	sshdtest.WriteKnownHosts(t, tg.KnownHostsFile, bastion.KnownHostsLine(), node.KnownHostsLine())

	d := testDialer(Options{})
	c := mustDial(t, d, tg)
	for i := 0; i < 3; i++ {
		mustRun(t, c, "true")
	}
	if bastion.Accepted() != 1 || node.Accepted() != 1 {
		t.Fatalf("accepted: bastion %d, node %d; want 1 each", bastion.Accepted(), node.Accepted())
	}
	if st := d.Stats(); st.Connections != 2 {
		t.Fatalf("stats %+v, want 2 connections (bastion + node)", st)
	}

	// The node's host key is verified through the tunnel too.
	sshdtest.WriteKnownHosts(t, tg.KnownHostsFile, bastion.KnownHostsLine(),
		sshdtest.KnownHostsLine(node.Addr, bastion.HostKey))
	_, err := testDialer(Options{}).Dial(context.Background(), tg)
	var hke *HostKeyError
	if !errors.As(err, &hke) || hke.Problem != HostKeyChanged {
		t.Fatalf("err = %v, want a changed host key for the node behind the bastion", err)
	}
}

func TestParseJump(t *testing.T) {
	for in, want := range map[string][2]string{
		"ops@bastion.example.net:2222": {"ops", "bastion.example.net:2222"},
		"bastion.example.net":          {"admin", "bastion.example.net:22"},
		"ops@10.0.0.1":                 {"ops", "10.0.0.1:22"},
	} {
		u, a, err := parseJump(in, "admin")
		if err != nil || u != want[0] || a != want[1] {
			t.Errorf("parseJump(%q) = %q, %q, %v; want %q", in, u, a, err, want)
		}
	}
	if _, _, err := parseJump("@:22", "admin"); err == nil {
		t.Error("parseJump accepted an empty host")
	}
}
