package sim

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// closedPort returns a 127.0.0.1 port nothing listens on: a real connect to
// it is refused, so only a simulated check can call it reachable.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func TestNcReachableUnlessBlockedAndNeverDials(t *testing.T) {
	free := closedPort(t)
	dir := newNode(t, Options{Release: "10.1.3.0", BlockedPorts: []int{61617}})
	for _, line := range []string{
		fmt.Sprintf("nc -z -w 1 127.0.0.1 %d", free), // refused for real, reachable simulated
		"nc -z -w 5 'smgr.example.net' '443'",        // does not resolve, reachable simulated
		"nc -zw5 smgr.example.net 443",
		`bash -lc "nc -z -w 5 'smgr.example.net' '443'"`,
	} {
		if r := execLine(t, dir, line, ""); r.code != 0 {
			t.Errorf("%s: exit %d %s", line, r.code, r.stderr)
		}
	}

	// A blocked port is unreachable even though something listens on it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	if err := Update(dir, func(s *State) error { s.BlockedPorts = append(s.BlockedPorts, port); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{61617, port} {
		r := execLine(t, dir, fmt.Sprintf("nc -v -z -w 5 127.0.0.1 %d", p), "")
		if r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("port %d (tcp) timed out", p)) {
			t.Errorf("blocked %d: exit %d %q", p, r.code, r.stderr)
		}
	}
	if s := show(t, dir); len(s.BlockedPorts) != 2 || s.BlockedPorts[0] != 61617 {
		t.Errorf("show: blocked ports %v", s.BlockedPorts)
	}
}

func TestNcRefusesWhatItDoesNotSimulate(t *testing.T) {
	dir := newNode(t, Options{Release: "10.1.3.0"})
	for line, code := range map[string]int{
		"nc smgr.example.net 443":        2, // no -z: would open a session
		"nc -l 4444":                     2,
		"nc -z smgr.example.net":         2,
		"nc -z -u smgr.example.net 5061": 2,
		"nc -z smgr.example.net 70000":   1,
		"nc -z -w x smgr.example.net 22": 1,
	} {
		if r := execLine(t, dir, line, ""); r.code != code {
			t.Errorf("%s: exit %d, want %d (%s)", line, r.code, code, r.stderr)
		}
	}
}

func TestInitRejectsBadBlockedPorts(t *testing.T) {
	for _, p := range []int{0, -1, 65536} {
		err := Init(t.TempDir(), Options{Kind: KindSM, Release: "10.1.3.0", BlockedPorts: []int{443, p}})
		if err == nil || !strings.Contains(err.Error(), "blocked port") {
			t.Errorf("port %d: %v", p, err)
		}
	}
}
