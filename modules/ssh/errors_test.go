package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
)

func TestPermanent(t *testing.T) {
	for err, want := range map[error]bool{
		&HostKeyError{Problem: HostKeyChanged}:                       true,
		fmt.Errorf("node: %w", &AuthError{Err: errors.New("x")}):     true,
		fmt.Errorf("ssh n: %w", ErrPasswordChange):                   true,
		fmt.Errorf("%w: /k", ErrNoPassphrase):                        true,
		fmt.Errorf("ssh n: run: %w (%w)", ErrConnectionLost, errEOF): false,
		context.DeadlineExceeded:                                     false,
	} {
		if got := Permanent(err); got != want {
			t.Errorf("Permanent(%v) = %v, want %v", err, got, want)
		}
	}
}

// A node that is down (rebooting) is not permanent: the engine retries.
func TestDialRefusedIsRetryable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, err = testDialer(Options{}).Dial(context.Background(),
		modules.Target{Node: "sm1", Host: "127.0.0.1", Port: port, KnownHostsFile: t.TempDir() + "/kh"})
	if err == nil || Permanent(err) {
		t.Fatalf("err = %v; want a retryable error", err)
	}
	if want := "127.0.0.1:" + strconv.Itoa(port); !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %s", err, want)
	}
}

var errEOF = errors.New("EOF")
