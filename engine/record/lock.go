package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"syscall"
	"time"
)

// LockFile is the lock's name inside records/<change_id>/.
const LockFile = ".lock"

// LockInfo names who holds a change's lock.
type LockInfo struct {
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
	return fmt.Sprintf("change is locked by %s; if that apply is no longer running, delete %s", e.Holder, e.Path)
}

// Lock is a held change lock.
type Lock struct {
	path string
	Info LockInfo
	// Warning is set when a stale lock (its process is dead, on this host)
	// was taken over; the caller prints it.
	Warning string
}

// Acquire takes records/<change_id>/.lock (dir is the change folder, created
// 0700 when absent). The lock file is created with O_EXCL and holds LockInfo
// as JSON. When the lock is held by a live process, or by any process on
// another host (whose liveness this host cannot tell), Acquire returns a
// *LockedError naming the holder. A lock left by a dead process of this host
// (its pid answers no signal), or left unreadable for over a minute by a
// process killed while writing it, is taken over and Lock.Warning says so. A
// pid reused by an unrelated process keeps the lock held: ForceUnlock is the
// operator's way out.
//
// Acquirers on one host serialise on flock(2) of the change folder, so two of
// them never both judge the same lock stale and both take it.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unlock, err := flockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	me := currentHolder()
	l := &Lock{path: filepath.Join(dir, LockFile), Info: me}
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
	if err == nil && (held.PID != l.Info.PID || held.Host != l.Info.Host || !held.Started.Equal(l.Info.Started)) {
		return nil
	}
	path := l.path
	l.path = ""
	return os.Remove(path)
}

// ForceUnlock removes a change's lock whoever holds it. The CLI offers it for
// a lock left on another host or after a crash; it is the operator's call.
func ForceUnlock(dir string) error {
	err := os.Remove(filepath.Join(dir, LockFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ReadLock returns the holder of a change's lock; os.ErrNotExist when none.
func ReadLock(dir string) (LockInfo, error) { return readLock(filepath.Join(dir, LockFile)) }

func createLock(path string, info LockInfo) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
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

// alive reports whether pid names a running process. EPERM means it exists
// but belongs to someone else: alive.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// flockDir takes an exclusive flock on the change folder itself.
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
