package record

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// LockDirName is the folder, beside the manifest, that holds the locks of
// the changes applied from that manifest. It ignores itself in git (a
// .gitignore of "*" inside), so a checkout stays clean.
const LockDirName = ".runbook"

// LockPath is where the lock of changeID applied from the manifest in
// manifestDir lives: <manifestDir>/.runbook/<changeID>.lock, manifestDir made
// absolute with its symlinks resolved. The lock is so keyed by the change and
// the manifest's real location, not by the working directory or the records
// folder: every apply of the same change from the same manifest, whatever its
// flags and current directory, meets the same lock.
func LockPath(manifestDir, changeID string) (string, error) {
	if changeID == "" {
		changeID = noChangeName
	}
	if changeID == "." || changeID == ".." || strings.ContainsAny(changeID, `/\`+"\x00") {
		return "", &InvalidNameError{What: "change id", Value: changeID}
	}
	if manifestDir == "" {
		manifestDir = "."
	}
	abs, err := filepath.Abs(manifestDir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	return filepath.Join(real, LockDirName, changeID+".lock"), nil
}

// LockInfo names who holds a change's lock.
type LockInfo struct {
	// ID names this holding of the lock; --force-unlock must quote it, so an
	// operator removes the lock they saw, not one taken since.
	ID      string    `json:"id"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	User    string    `json:"user"`
	Started time.Time `json:"started"`
}

func (i LockInfo) String() string {
	return fmt.Sprintf("pid %d (%s@%s) since %s", i.PID, i.User, i.Host, i.Started.UTC().Format(time.RFC3339))
}

// LockedError says another apply of the same change holds the lock.
type LockedError struct {
	Path   string
	Holder LockInfo
	// Unreadable is set when the lock file could not be parsed; Holder is zero.
	Unreadable bool
}

func (e *LockedError) Error() string {
	if e.Unreadable {
		return fmt.Sprintf("change is locked: %s exists but cannot be read; remove it only if no apply of this change is running", e.Path)
	}
	id := e.Holder.ID
	if id == "" {
		id = "(none)"
	}
	return fmt.Sprintf("change is locked by %s: lock id %s, host %s, pid %d, since %s (lock file %s)",
		e.Holder, id, e.Holder.Host, e.Holder.PID, e.Holder.Started.UTC().Format(time.RFC3339), e.Path)
}

// Lock is a held change lock.
type Lock struct {
	path string
	Info LockInfo
	// Warning is set when a stale lock (its process is dead, on this host)
	// was taken over; the caller prints it.
	Warning string
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// Acquire takes the lock at path (see LockPath), creating its folder when
// absent. The lock file is created with O_EXCL and holds LockInfo as JSON,
// with a new random id. When the lock is held by a live process, or by any
// process on another host (whose liveness this host cannot tell), Acquire
// returns a *LockedError naming the holder. A lock left by a dead process of
// this host (its pid answers no signal), or left unreadable for over a minute
// by a process killed while writing it, is taken over and Lock.Warning says
// so. A pid reused by an unrelated process keeps the lock held: ForceUnlock
// is then refused too, and removing the file by hand is the way out.
//
// Acquirers on one host serialise on flock(2) of the lock's folder, so two of
// them never both judge the same lock stale and both take it.
func Acquire(path string) (*Lock, error) {
	dir := filepath.Dir(path)
	if err := prepareLockDir(dir); err != nil {
		return nil, err
	}
	unlock, err := flockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	me := currentHolder()
	if me.ID, err = newLockID(); err != nil {
		return nil, err
	}
	l := &Lock{path: path, Info: me}
	for attempt := 0; attempt < 2; attempt++ {
		err := createLock(l.path, me)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		held, readErr := readLock(l.path)
		switch {
		case readErr != nil && !errors.Is(readErr, os.ErrNotExist) && !oldFile(l.path, unreadableGrace):
			// A process of another host sharing this folder (flock does not
			// reach it) may be writing it this very moment.
			return nil, &LockedError{Path: l.path, Unreadable: true}
		case readErr != nil && !errors.Is(readErr, os.ErrNotExist):
			// Old and unreadable: a holder killed between create and write
			// left it empty or torn.
			l.Warning = fmt.Sprintf("took over unreadable lock %s", l.path)
		case readErr != nil:
			continue // released meanwhile
		case held.Host == me.Host && !alive(held.PID):
			l.Warning = fmt.Sprintf("took over stale lock of %s: that process is gone", held)
		default:
			return nil, &LockedError{Path: l.path, Holder: held}
		}
		if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("lock %s: could not be taken", l.path)
}

// prepareLockDir creates the lock folder. It is not private: every operator
// who may apply from this manifest must be able to take and read the lock,
// and a lock holds no secret. Inside a .runbook folder a .gitignore keeps
// the locks out of the manifest's repository.
func prepareLockDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lock: %w (the folder beside the manifest must be writable to take the change's lock)", err)
	}
	if filepath.Base(dir) != LockDirName {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, ".gitignore"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	_, werr := f.WriteString("# runbook's change locks; never committed\n*\n")
	return errors.Join(werr, f.Close())
}

// unreadableGrace is how old an unreadable lock must be before it is taken
// over; a lock is written within milliseconds of its creation.
const unreadableGrace = time.Minute

func oldFile(path string, age time.Duration) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) > age
}

// Release removes the lock if it is still this process's lock (a force-unlock
// followed by another apply must not lose that apply's lock).
func (l *Lock) Release() error {
	if l == nil || l.path == "" {
		return nil
	}
	unlock, err := flockDir(filepath.Dir(l.path))
	if err != nil {
		return err
	}
	defer unlock()
	held, err := readLock(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err == nil && (held.ID != l.Info.ID || held.PID != l.Info.PID || held.Host != l.Info.Host || !held.Started.Equal(l.Info.Started)) {
		return nil
	}
	path := l.path
	l.path = ""
	return os.Remove(path)
}

// UnlockRefusedError is a force-unlock that must not remove the lock.
type UnlockRefusedError struct {
	Path   string
	Holder LockInfo
	Reason string
}

func (e *UnlockRefusedError) Error() string {
	return fmt.Sprintf("force-unlock refused: %s (lock file %s)", e.Reason, e.Path)
}

// ForceUnlock removes the lock at path, the operator's way out of a lock
// left by a crashed apply on another host, or by one whose pid was reused.
// It is refused unless id is the lock's id (so the lock removed is the one
// the operator saw, not one taken since), and refused while the holder's pid
// is alive on this host: that apply is running and must be stopped, not
// overtaken. No lock at all is not an error.
func ForceUnlock(path, id string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	unlock, err := flockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	held, err := readLock(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return &UnlockRefusedError{Path: path, Reason: "the lock cannot be read (an apply may be writing it); it is taken over by itself once a minute old, or delete it by hand when no apply of this change runs"}
	case held.ID == "" || held.ID != id:
		return &UnlockRefusedError{Path: path, Holder: held, Reason: fmt.Sprintf("%q is not the id of the lock, held by %s; run apply without --force-unlock to see the lock", id, held)}
	}
	host, _ := os.Hostname()
	if held.Host == host && alive(held.PID) {
		return &UnlockRefusedError{Path: path, Holder: held, Reason: fmt.Sprintf("the lock's holder, pid %d on this host (%s), is running: stop that apply (Ctrl-C) or let it finish; if that pid is not a runbook apply, delete the lock file by hand", held.PID, host)}
	}
	err = os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ReadLock returns the holder of the lock at path; os.ErrNotExist when none.
func ReadLock(path string) (LockInfo, error) { return readLock(path) }

func createLock(path string, info LockInfo) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(info)
	_, werr := f.Write(append(b, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func readLock(path string) (LockInfo, error) {
	var info LockInfo
	b, err := os.ReadFile(path)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil || info.PID <= 0 {
		return info, fmt.Errorf("lock %s: unreadable", path)
	}
	return info, nil
}

func currentHolder() LockInfo {
	host, _ := os.Hostname()
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return LockInfo{PID: os.Getpid(), Host: host, User: name, Started: time.Now().UTC()}
}

// newLockID is a random id for one holding of a lock.
func newLockID() (string, error) {
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("lock id: %w", err)
	}
	return hex.EncodeToString(id), nil
}

// alive reports whether pid names a running process. EPERM means it exists
// but belongs to someone else: alive.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// flockDir takes an exclusive flock on the lock's folder itself.
func flockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
