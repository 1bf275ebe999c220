package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// nc is `nc -z [-v] [-w SECS] HOST PORT`, the port check of firewall.ports.
// It is simulated and never opens a connection: the port is reachable unless
// the node's state lists it as blocked (Options.BlockedPorts), whatever the
// host. Any other use of nc is refused rather than run for real, so no
// command line can make the simulator connect anywhere.
func (s *session) nc(args []string) int {
	scan, verbose := false, false
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			ops = append(ops, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'z':
				scan = true
			case 'v':
				verbose = true
			case 'n':
			case 'w':
				v := a[j+1:]
				if v == "" && i+1 < len(args) {
					i++
					v = args[i]
				}
				if n, err := strconv.Atoi(v); err != nil || n < 0 {
					fmt.Fprintf(s.stderr, "nc: timeout invalid: %q\n", v)
					return 1
				}
				j = len(a)
			default:
				fmt.Fprintf(s.stderr, "nc: option -%c is not simulated\n", a[j])
				return 2
			}
		}
	}
	if !scan || len(ops) != 2 {
		fmt.Fprintln(s.stderr, "usage: nc -z [-v] [-w timeout] host port (only the port scan is simulated)")
		return 2
	}
	host := ops[0]
	port, err := strconv.Atoi(ops[1])
	if err != nil || port < 1 || port > 65535 {
		fmt.Fprintf(s.stderr, "nc: port number invalid: %s\n", ops[1])
		return 1
	}
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	if slices.Contains(st.BlockedPorts, port) {
		if verbose {
			fmt.Fprintf(s.stderr, "nc: connect to %s port %d (tcp) timed out: Operation now in progress\n", host, port)
		}
		return 1
	}
	if verbose {
		fmt.Fprintf(s.stderr, "Connection to %s %d port [tcp/*] succeeded!\n", host, port)
	}
	return 0
}

// checkPorts validates a blocked-ports list.
func checkPorts(ports []int) error {
	for _, p := range ports {
		if p < 1 || p > 65535 {
			return fmt.Errorf("blocked port %d: want 1 to 65535", p)
		}
	}
	return nil
}
