package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/runbook-dev/runbook/internal/rollout"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Directories and files inside a node's fake root.
const (
	ReleaseFile = "/opt/Avaya/install.properties"
	BackupDir   = "/var/opt/backup"
	MediaDir    = "/var/tmp/runbook"
	LogDir      = "/var/log/Avaya"
	dataDir     = "data"
	rootDir     = "root"
	usersFile   = "users.csv"
	callsFile   = "callhistory.log"
	rolesFile   = "roles.txt"
)

// Mounts are the file systems whose free space the node reports.
var Mounts = []string{"/var", "/opt", "/swlibrary"}

var releaseRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,4}$`)

// Options describe a node for Init.
type Options struct {
	Node            string // default: the state directory's base name
	Kind            string
	Release         string
	SSP             int
	Platform        string
	Users           int
	ActiveCalls     int
	DiskFreeMB      int64 // every mount; 0 means 20480
	ClockSkew       time.Duration
	UDSBackup       string // ok | failed | not_configured; default ok ("" on SMGR)
	PasswordExpired bool
	BlockedPorts    []int // ports `nc -z` reports unreachable (firewall.ports)
}

// Init creates (or resets) a node in dir.
func Init(dir string, o Options) error {
	if !rollout.Kind(o.Kind).Known() {
		return fmt.Errorf("unknown kind %q (%s)", o.Kind, strings.Join(rollout.KindNames(), ", "))
	}
	if !releaseRE.MatchString(o.Release) {
		return fmt.Errorf("release %q is not of the form A.B.C.D", o.Release)
	}
	if o.SSP < 0 || o.Users < 0 || o.ActiveCalls < 0 || o.DiskFreeMB < 0 {
		return fmt.Errorf("ssp, users, active calls and disk must not be negative")
	}
	if err := checkPorts(o.BlockedPorts); err != nil {
		return err
	}
	switch o.UDSBackup {
	case "":
		if o.Kind != KindSMGR {
			o.UDSBackup = "ok"
		}
	case "ok", "failed", "not_configured":
	default:
		return fmt.Errorf("uds backup %q: want ok, failed or not_configured", o.UDSBackup)
	}
	if o.DiskFreeMB == 0 {
		o.DiskFreeMB = 20480
	}
	if o.Node == "" {
		abs, _ := filepath.Abs(dir)
		o.Node = filepath.Base(abs)
	}
	if o.Platform == "" {
		o.Platform = "vmware"
	}
	for _, d := range []string{dir, filepath.Join(dir, dataDir), filepath.Join(dir, rootDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	s := &State{
		Node: o.Node, Kind: o.Kind, Release: o.Release, SSP: o.SSP, Platform: o.Platform,
		ServiceState: "accepting", Calls: o.ActiveCalls,
		DiskFreeMB: map[string]int64{}, ClockSkew: o.ClockSkew, UDSBackup: o.UDSBackup,
		PasswordExpired: o.PasswordExpired, BlockedPorts: slices.Clone(o.BlockedPorts),
	}
	for _, m := range Mounts {
		s.DiskFreeMB[m] = o.DiskFreeMB
	}
	n := &node{dir: dir}
	for _, d := range []string{BackupDir, MediaDir, LogDir, "/opt/Avaya", "/swlibrary", "/home/cust"} {
		if err := os.MkdirAll(n.path(d), 0o755); err != nil {
			return err
		}
	}
	if err := writeUserData(n.data(), o.Node, o.Users); err != nil {
		return err
	}
	if err := n.writeReleaseFile(s); err != nil {
		return err
	}
	unlock, err := lock(dir)
	if err != nil {
		return err
	}
	defer unlock()
	return s.Save(dir)
}

// node resolves paths of one state directory.
type node struct{ dir string }

// path maps an absolute node path into the fake root; ".." cannot climb out.
func (n *node) path(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/home/cust/" + p
	}
	return filepath.Join(n.dir, rootDir, filepath.Clean(p))
}

func (n *node) data() string { return filepath.Join(n.dir, dataDir) }

// writeReleaseFile refreshes /opt/Avaya/install.properties from the state.
func (n *node) writeReleaseFile(s *State) error {
	body := fmt.Sprintf("# Avaya Aura install properties\nProduct=%s\nRelease=%s\nSSP=%d\nPlatform=%s\n", s.Kind, s.Release, s.SSP, s.Platform)
	p := n.path(ReleaseFile)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

// writeUserData creates the node's user data: users, call history, roles.
func writeUserData(dir, node string, users int) error {
	var u, c strings.Builder
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&u, "user%05d@%s.example.net,%d\n", i, node, 10000+i)
		if i%3 == 0 {
			fmt.Fprintf(&c, "call %d from %d to %d\n", i, 10000+i, 10000+i-1)
		}
	}
	files := map[string]string{usersFile: u.String(), callsFile: c.String(), rolesFile: "admin\nauditor\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// wipeUserData leaves the data of a fresh install: no users, no history.
func wipeUserData(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, usersFile), nil, 0o600)
}

// Users counts the users in the node's data.
func Users(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, dataDir, usersFile))
	if err != nil {
		return 0
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// Digest is the sha256 over the node's user data (file names and contents):
// it survives backup → upgrade → restore and changes when data is lost.
func Digest(dir string) (string, error) {
	root := filepath.Join(dir, dataDir)
	sums := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sum := sha256.Sum256(b)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(h, "%s\x00%s\n", name, sums[name])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
