package sim

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// swversion is a shell alias on the node: it exists only in a login shell.
func (s *session) swversion(args []string) int {
	if !s.login {
		fmt.Fprintln(s.stderr, "bash: line 1: swversion: command not found")
		return 127
	}
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	if st.Kind == KindSMGR {
		fmt.Fprintf(s.stdout, "System Manager\nSoftware Update Revision: %s\nSecurity Service Pack: %d\nPlatform: %s\n", st.Release, st.SSP, st.Platform)
		return 0
	}
	name := "Session Manager"
	if st.Kind == KindBSM {
		name = "Branch Session Manager"
	}
	fmt.Fprintf(s.stdout, "%s\nRelease: %s\nSecurity Service Pack: %d\nPlatform: %s\n", name, st.Release, st.SSP, st.Platform)
	return 0
}

// statapp prints the status of every service (statapp -s).
func (s *session) statapp(args []string) int {
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	status := st.serviceStatus(now())
	fmt.Fprintf(s.stdout, "%-20s %-7s %s\n", "Service", "Procs", "Status")
	for _, name := range Services(st.Kind) {
		fmt.Fprintf(s.stdout, "%-20s %-7s %s\n", name, "1/1", strings.ToUpper(status[name]))
	}
	return 0
}

// smcli is the node's management CLI for what the vendor only exposes in the
// System Manager web console (service state, active calls, UDS backup status).
func (s *session) smcli(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(s.stderr, "usage: smcli service-state [deny|accept] | active-calls | uds-backup | users | data-digest | media-info FILE | precheck | verify | replication [disable|enable]")
		return 2
	}
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	t := now()
	switch args[0] {
	case "service-state":
		if len(args) == 1 {
			fmt.Fprintf(s.stdout, "Service State: %s\n", stateLabel(st.ServiceState))
			return 0
		}
		return s.setServiceState(args[1])
	case "active-calls":
		fmt.Fprintf(s.stdout, "Active Calls: %d\n", st.activeCalls(t))
	case "uds-backup":
		if st.Kind == KindSMGR {
			return s.fail("User Data Storage backup is not available on System Manager")
		}
		fmt.Fprintf(s.stdout, "UDS Backup: %s\n", st.UDSBackup)
	case "users":
		fmt.Fprintf(s.stdout, "Users: %d\n", Users(s.dir))
	case "data-digest":
		d, err := Digest(s.dir)
		if err != nil {
			return s.fail("%v", err)
		}
		fmt.Fprintf(s.stdout, "Data Digest: %s\n", d)
	case "media-info":
		return s.mediaInfo(args[1:])
	case "replication":
		return s.replication(st, args[1:])
	case "precheck", "verify":
		if code, done := s.phase(args[0]); done {
			return code
		}
		return s.end(s.health(st, t, args[0]))
	default:
		fmt.Fprintf(s.stderr, "smcli: unknown command %q\n", args[0])
		return 2
	}
	return 0
}

// health is the node's own health check, run before and after a change.
func (s *session) health(st *State, t time.Time, what string) int {
	fmt.Fprintf(s.stdout, "Release: %s\nSecurity Service Pack: %d\n", st.Release, st.SSP)
	down := []string{}
	status := st.serviceStatus(t)
	for _, name := range Services(st.Kind) {
		if status[name] != "up" {
			down = append(down, name)
		}
	}
	if len(down) > 0 {
		fmt.Fprintf(s.stdout, "Services down: %s\n%s: FAILED\n", strings.Join(down, ", "), what)
		return 1
	}
	fmt.Fprintf(s.stdout, "Services: all up\n%s: OK\n", what)
	return 0
}

func stateLabel(state string) string {
	if state == "denying" {
		return "Deny New Service"
	}
	return "Accept New Service"
}

// replication shows, disables or enables a System Manager's geo-redundant
// data replication (the vendor's console action).
func (s *session) replication(st *State, args []string) int {
	if st.Kind != KindSMGR {
		return s.fail("geo-redundant replication is a System Manager function")
	}
	label := func(off bool) string {
		if off {
			return "disabled"
		}
		return "enabled"
	}
	if len(args) == 0 {
		fmt.Fprintf(s.stdout, "Replication: %s\n", label(st.ReplicationOff))
		return 0
	}
	off, ok := map[string]bool{"disable": true, "enable": false}[args[0]]
	if !ok || len(args) > 1 {
		fmt.Fprintln(s.stderr, "usage: smcli replication [disable|enable]")
		return 2
	}
	phase := map[bool]string{true: "replication_off", false: "replication_on"}[off]
	if code, done := s.phase(phase); done {
		return code
	}
	t := now()
	err := s.update(func(st *State) error {
		if st.ReplicationOff != off {
			st.ReplicationOff = off
			st.record(t, phase, s.line, "", "", "")
		}
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.stdout, "Replication: %s\n", label(off))
	return s.end(0)
}

// setServiceState is Deny/Accept New Service. After Deny, the active calls end
// over the simulated drain time; while accepting, calls do not end.
func (s *session) setServiceState(to string) int {
	phase := map[string]string{"deny": "drain", "accept": "undrain"}[to]
	if phase == "" {
		fmt.Fprintf(s.stderr, "smcli: service-state: want deny or accept, got %q\n", to)
		return 2
	}
	if code, done := s.phase(phase); done {
		return code
	}
	t := now()
	var label string
	err := s.update(func(st *State) error {
		active := st.activeCalls(t)
		switch to {
		case "deny":
			if st.ServiceState != "denying" {
				st.ServiceState, st.CallsAtDeny, st.DenyAt, st.DrainFor = "denying", active, t, s.scaled(drainTime)
				st.Calls = 0
				st.record(t, "deny", s.line, "", "", fmt.Sprintf("%d active calls", active))
			}
		case "accept":
			if st.ServiceState != "accepting" {
				st.ServiceState, st.Calls, st.CallsAtDeny = "accepting", active, 0
				st.record(t, "accept", s.line, "", "", "")
			}
		}
		label = stateLabel(st.ServiceState)
		return nil
	})
	if err != nil {
		return s.fail("%v", err)
	}
	fmt.Fprintf(s.stdout, "Service State: %s\n", label)
	return s.end(0)
}

// df prints free space per mount in 1 MiB blocks (df -Pm).
func (s *session) df(args []string) int {
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	mounts := []string{}
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			mounts = append(mounts, a)
		}
	}
	if len(mounts) == 0 {
		mounts = Mounts
	}
	fmt.Fprintln(s.stdout, "Filesystem         1048576-blocks      Used Available Capacity Mounted on")
	code := 0
	for _, m := range mounts {
		free, ok := st.DiskFreeMB[m]
		if !ok {
			fmt.Fprintf(s.stderr, "df: %s: No such file or directory\n", m)
			code = 1
			continue
		}
		size := max(free*2, 40960)
		used := size - free
		fmt.Fprintf(s.stdout, "%-18s %14d %9d %9d %7d%% %s\n", "/dev/mapper/vg"+strings.ReplaceAll(m, "/", "-"), size, used, free, used*100/size, m)
	}
	return code
}

// date prints the node's clock (with its skew), honouring -u and +FORMAT.
func (s *session) date(args []string) int {
	st, err := Load(s.dir)
	if err != nil {
		return s.fail("%v", err)
	}
	t := time.Now().Add(st.ClockSkew).UTC()
	format := "+%a %b %e %H:%M:%S UTC %Y"
	for _, a := range args {
		if strings.HasPrefix(a, "+") {
			format = a
		}
	}
	fmt.Fprintln(s.stdout, strftime(format[1:], t))
	return 0
}

// strftime covers the conversions a profile needs to read a clock.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'Z':
			b.WriteString("UTC")
		case 'z':
			b.WriteString("+0000")
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// mediaInfo prints what an installer medium on the node holds (its header,
// checked against its payload), without installing anything: the installers'
// own checks, readable before the node is drained.
func (s *session) mediaInfo(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(s.stderr, "usage: smcli media-info FILE")
		return 2
	}
	local := s.n.path(args[0])
	if _, err := os.Stat(local); err != nil {
		return s.fail("media file %s not found", args[0])
	}
	m, err := ReadMedia(local)
	if err != nil {
		return s.fail("media %s: %v", args[0], err)
	}
	fmt.Fprintf(s.stdout, "Kind: %s\nProduct: %s\nRelease: %s\nSSP: %d\n", m.Kind, m.Product, m.Release, m.SSP)
	return 0
}
