package sm

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/runbook-dev/runbook/modules"
)

// PortReachable reports whether the node behind conn reaches host:port over
// TCP, with the profile's read-only port_check action (nc -z by default), so
// it runs under dry-run too. A non-zero exit means not reachable. A transport
// failure, a missing or changing action, or a command the node does not have
// (exit 126/127) is an error: the firewall.ports guard must not read an
// unknown as a yes, nor report a port blocked that it never tried.
func PortReachable(ctx context.Context, conn modules.Conn, kind string, p *Profile, host string, port int) (bool, error) {
	if host == "" || port < 1 || port > 65535 {
		return false, fmt.Errorf("port check: invalid address %q port %d", host, port)
	}
	a, err := p.Action(kind, "port_check")
	if err != nil {
		return false, err
	}
	if !a.ReadOnly {
		return false, fmt.Errorf("profile: %s.port_check must be read_only", kind)
	}
	_, err = runner{p: p, conn: conn, kind: kind}.run(ctx, "port_check", map[string]string{"host": host, "port": strconv.Itoa(port)})
	var ce *CommandError
	if errors.As(err, &ce) && ce.ExitCode != 126 && ce.ExitCode != 127 && !errors.Is(err, ErrPasswordExpired) {
		return false, nil
	}
	return err == nil, err
}
