package sim

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/runbook-dev/runbook/internal/release"
)

// Minimum free space the installers want, per mount (MiB).
var installNeedMB = map[string]int64{"/var": 2048, "/opt": 1024}

// boolFlags take no value.
var boolFlags = map[string]bool{"rollback": true}

// hasFlag reports whether a boolean flag was given.
func hasFlag(fl map[string]string, name string) bool { return fl[name] == "true" }

// parseFlags splits "--name value" / "--name=value" pairs from positional args.
func parseFlags(args []string) (map[string]string, []string) {
	fl, pos := map[string]string{}, []string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || a == "--" {
			pos = append(pos, a)
			continue
		}
		k, v, ok := strings.Cut(a[2:], "=")
		if !ok && boolFlags[k] {
			v = "true"
		} else if !ok && i+1 < len(args) {
			v = args[i+1]
			i++
		}
		fl[k] = v
	}
	return fl, pos
}

// fileArg reads the flags of a tool that works on one file, named by --name
// or as the first operand, and the node's state. ok is false once it has
// printed the usage or the failure; code is then the exit status.
func (s *session) fileArg(args []string, name, tool, usage string) (fl map[string]string, file string, st *State, code int, ok bool) {
	fl, pos := parseFlags(args)
	file = fl[name]
	if file == "" && len(pos) > 0 {
		file = pos[0]
	}
	if file == "" {
		fmt.Fprintf(s.stderr, "usage: %s %s\n", tool, usage)
		return nil, "", nil, 2, false
	}
	st, err := Load(s.dir)
	if err != nil {
		return nil, "", nil, s.fail("%v", err), false
	}
	return fl, file, st, 0, true
}

// upgradeSM installs a release medium on an SM or BSM.
func (s *session) upgradeSM(args []string) int { return s.install(args, "release", "upgradeSM", false) }

// installSSP installs a Security Service Pack medium on an SM or BSM.
func (s *session) installSSP(args []string) int { return s.install(args, "ssp", "installSSP", false) }

// patchdeploy is System Manager's patch tool: it installs release and SSP
// media alike, after the EULA is accepted on stdin.
func (s *session) patchdeploy(args []string) int { return s.install(args, "", "SMGRPatchdeploy", true) }

// install checks a medium (checksum, product, release, disk) and applies it,
// then reboots the node. want is "release", "ssp" or "" (either).
func (s *session) install(args []string, want, tool string, smgr bool) int {
	fl, media, st, code, ok := s.fileArg(args, "media", tool, "--media FILE [--sha256 HEX]")
	if !ok {
		return code
	}
	if (st.Kind == KindSMGR) != smgr {
		fmt.Fprintf(s.stderr, "bash: line 1: %s: command not found\n", tool)
		return 127
	}
	local := s.n.path(media)
	if _, err := os.Stat(local); err != nil {
		return s.fail("media file %s not found", media)
	}
	if sum := fl["sha256"]; sum != "" {
		got, err := FileSHA256(local)
		if err != nil || !strings.EqualFold(got, sum) {
			return s.fail("checksum mismatch for %s: expected %s, got %s", media, sum, got)
		}
	}
	m, err := ReadMedia(local)
	if err != nil {
		return s.fail("media %s: %v", media, err)
	}
	if m.Product != product(st.Kind) {
		return s.fail("media %s is for %s; this node is %s", media, m.Product, st.Kind)
	}
	if want != "" && m.Kind != want {
		return s.fail("media %s is a %s medium; %s installs %s media", media, m.Kind, tool, want)
	}
	phase := "upgrade"
	if m.Kind == "ssp" {
		phase = "ssp"
	}
	if smgr && !s.acceptEULA() {
		return s.fail("EULA not accepted; nothing was installed")
	}
	if code := s.checkDisk(st, tool); code != 0 {
		return code
	}
	switch {
	case m.Kind == "ssp" && m.Release != st.Release:
		return s.fail("SSP %d in %s is for release %s; this node runs %s", m.SSP, media, m.Release, st.Release)
	case m.Kind == "ssp" && m.SSP <= st.SSP:
		fmt.Fprintf(s.stdout, "Security Service Pack %d is already installed (requested %d): nothing to do\n", st.SSP, m.SSP)
		return 0
	case m.Kind == "release" && release.Compare(m.Release, st.Release) == 0:
		fmt.Fprintf(s.stdout, "Release %s is already installed: nothing to do\n", st.Release)
		return 0
	case m.Kind == "release" && release.Compare(m.Release, st.Release) < 0 && !hasFlag(fl, "rollback"):
		return s.fail("media %s holds release %s, older than the installed %s: downgrade refused", media, m.Release, st.Release)
	}
	if code, done := s.phase(phase); done {
		return code
	}
	fmt.Fprintf(s.stdout, "Installing %s %s from %s ...\n", m.Kind, describe(m), media)
	d := upgradeTime
	if m.Kind == "ssp" {
		d = sspTime
	}
	if !s.sleep(d) {
		return s.fail("%s interrupted; nothing was changed", tool)
	}
	if code := s.apply(m); code != 0 {
		return code
	}
	fmt.Fprintln(s.stdout, "Installation complete. The system is going down for reboot NOW.")
	return s.drop()
}

func describe(m Media) string {
	if m.Kind == "ssp" {
		return fmt.Sprintf("SSP %d for %s", m.SSP, m.Release)
	}
	return m.Release
}

// apply changes the node: an SSP raises the SSP level; a release within the
// line keeps user data, across lines it leaves a fresh install's empty data
// until restoreSM or the migration utility brings it back. Both reboot.
func (s *session) apply(m Media) int {
	t := now()
	err := s.update(func(st *State) error {
		from := st.Release
		if m.Kind == "ssp" {
			st.record(t, "ssp", s.line, from, from, fmt.Sprintf("ssp %d -> %d", st.SSP, m.SSP))
			st.SSP = m.SSP
		} else {
			cross := release.Line(m.Release) != release.Line(from)
			if cross {
				if err := wipeUserData(s.n.data()); err != nil {
					return err
				}
			}
			detail := "patch within the line: data kept"
			if cross {
				detail = "across lines: user data must be restored or migrated"
			}
			st.record(t, "upgrade", s.line, from, m.Release, detail)
			st.Release, st.SSP = m.Release, 0
		}
		s.rebootState(st)
		return s.n.writeReleaseFile(st)
	})
	if err != nil {
		return s.fail("%v", err)
	}
	return 0
}

// rebootState records a reboot: active calls are cut, services are down
// until the boot completes. The service state (Deny/Accept) persists.
func (s *session) rebootState(st *State) {
	tt := now()
	if dropped := st.activeCalls(tt); dropped > 0 {
		st.DroppedCalls += dropped
	}
	st.Calls, st.CallsAtDeny = 0, 0
	st.BootUntil = tt.Add(s.scaled(bootTime))
	st.Reboots++
	st.record(tt, "reboot", s.line, "", "", "")
}

// checkDisk refuses to install with too little free space, naming every
// short mount and the log file, as System Manager's patch tool does.
func (s *session) checkDisk(st *State, tool string) int {
	logPath := filepath.Join(LogDir, tool+".log")
	var short []string
	for _, m := range []string{"/var", "/opt"} {
		if st.DiskFreeMB[m] < installNeedMB[m] {
			short = append(short, fmt.Sprintf("insufficient disk space on %s: %d MB free, %d MB required", m, st.DiskFreeMB[m], installNeedMB[m]))
		}
	}
	if len(short) == 0 {
		return 0
	}
	msg := strings.Join(short, "\n") + "\n"
	os.MkdirAll(s.n.path(LogDir), 0o755)
	os.WriteFile(s.n.path(logPath), []byte(msg), 0o644)
	for _, l := range short {
		fmt.Fprintf(s.stderr, "ERROR: %s\n", l)
	}
	fmt.Fprintf(s.stderr, "See %s for details.\n", logPath)
	return 1
}

// acceptEULA reads the EULA answer from stdin: only y/yes accepts.
func (s *session) acceptEULA() bool {
	fmt.Fprint(s.stdout, "Do you accept the End User License Agreement? [y/N]: ")
	l, _ := bufio.NewReader(s.stdin).ReadString('\n')
	fmt.Fprintln(s.stdout)
	a := strings.ToLower(strings.TrimSpace(l))
	return a == "y" || a == "yes"
}

// reboot restarts the node; it accepts only the literal answer "Yes".
func (s *session) reboot(args []string) int {
	fmt.Fprint(s.stdout, "Are you sure you want to reboot? (Yes/No): ")
	l, _ := bufio.NewReader(s.stdin).ReadString('\n')
	if strings.TrimSpace(l) != "Yes" {
		fmt.Fprintln(s.stdout, "\nReboot cancelled.")
		return 1
	}
	if err := s.update(func(st *State) error { s.rebootState(st); return nil }); err != nil {
		return s.fail("%v", err)
	}
	return s.drop()
}
