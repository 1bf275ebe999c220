package record

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockPath is a lock file in a fresh folder.
func lockPath(t *testing.T) string {
	path, err := LockPath(t.TempDir(), "CHG1")
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLockExclusiveNamesHolder(t *testing.T) {
	dir := lockPath(t)
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Warning != "" {
		t.Fatalf("unexpected warning %q", l.Warning)
	}
	assertMode(t, dir, 0o644)
	_, err = Acquire(dir)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Acquire = %v, want *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != os.Getpid() || le.Holder.Host != host || le.Holder.User == "" || le.Holder.Started.IsZero() {
		t.Fatalf("holder %+v", le.Holder)
	}
	if len(le.Holder.ID) != 16 || le.Holder.ID != l.Info.ID {
		t.Fatalf("lock id %q, want the holder's %q", le.Holder.ID, l.Info.ID)
	}
	for _, want := range []string{"pid " + itoa(os.Getpid()), host, le.Holder.User, "lock id " + l.Info.ID, "since "} {
		if !strings.Contains(le.Error(), want) {
			t.Fatalf("error %q does not name %q", le.Error(), want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatal("lock file left after Release")
	}
	l2, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func itoa(i int) string { return strconv.Itoa(i) }

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func writeLock(t *testing.T, path string, info LockInfo) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := createLock(path, info); err != nil {
		t.Fatal(err)
	}
}

func TestLockStaleTakeover(t *testing.T) {
	dir := lockPath(t)
	host, _ := os.Hostname()
	pid := deadPID(t)
	writeLock(t, dir, LockInfo{PID: pid, Host: host, User: "ops", Started: time.Now().Add(-time.Hour)})
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	if !strings.Contains(l.Warning, "stale") || !strings.Contains(l.Warning, itoa(pid)) {
		t.Fatalf("warning %q", l.Warning)
	}
	held, err := ReadLock(dir)
	if err != nil || held.PID != os.Getpid() {
		t.Fatalf("lock now held by %+v, %v", held, err)
	}
	l.Release()
}

func TestLockOtherHostOrLiveNotTakenOver(t *testing.T) {
	dir := lockPath(t)
	writeLock(t, dir, LockInfo{ID: "0123456789abcdef", PID: deadPID(t), Host: "elsewhere.example.net", User: "ops", Started: time.Now()})
	var le *LockedError
	if _, err := Acquire(dir); !errors.As(err, &le) || le.Holder.Host != "elsewhere.example.net" {
		t.Fatalf("lock of another host: %v", err)
	}
	if err := ForceUnlock(dir, "0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if err := ForceUnlock(dir, "0123456789abcdef"); err != nil {
		t.Fatalf("ForceUnlock without lock: %v", err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after ForceUnlock: %v", err)
	}
	l.Release()

	// A live process on this host (the parent of the test binary) keeps it.
	host, _ := os.Hostname()
	writeLock(t, dir, LockInfo{ID: "fedcba9876543210", PID: os.Getppid(), Host: host, User: "ops", Started: time.Now()})
	if _, err := Acquire(dir); !errors.As(err, &le) {
		t.Fatalf("live holder: %v", err)
	}
}

func TestLockUnreadableTakenOver(t *testing.T) {
	dir := lockPath(t)
	path := dir
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, nil, 0o600) // being written, or killed between create and write
	var le *LockedError
	if _, err := Acquire(dir); !errors.As(err, &le) || !le.Unreadable {
		t.Fatalf("fresh unreadable lock: %v, want *LockedError{Unreadable}", err)
	}
	old := time.Now().Add(-2 * unreadableGrace)
	os.Chtimes(path, old, old)
	l, err := Acquire(dir)
	if err != nil || !strings.Contains(l.Warning, "unreadable") {
		t.Fatalf("empty lock: %v, %+v", err, l)
	}
	l.Release()
}

func TestLockReleaseKeepsSomeoneElsesLock(t *testing.T) {
	dir := lockPath(t)
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(dir) // removed by hand
	other := LockInfo{ID: "00000000000000aa", PID: os.Getppid(), Host: "h", User: "u", Started: time.Now()}
	writeLock(t, dir, other)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if held, err := ReadLock(dir); err != nil || held.PID != other.PID {
		t.Fatalf("Release removed another holder's lock: %+v %v", held, err)
	}
}

func TestLockConcurrentAcquireOneWins(t *testing.T) {
	dir := lockPath(t)
	host, _ := os.Hostname()
	writeLock(t, dir, LockInfo{PID: deadPID(t), Host: host, User: "ops", Started: time.Now()})
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, locked := 0, 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Acquire(dir)
			mu.Lock()
			defer mu.Unlock()
			var le *LockedError
			switch {
			case err == nil:
				won++
			case errors.As(err, &le):
				locked++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || locked != 7 {
		t.Fatalf("won=%d locked=%d, want 1 and 7", won, locked)
	}
}

// TestLockPathKeyedByManifest: the lock lives beside the manifest and is
// named by the change; the same manifest reached through a symlink or a
// relative path meets the same lock, whatever the working directory.
func TestLockPathKeyedByManifest(t *testing.T) {
	base := t.TempDir()
	manifest := filepath.Join(base, "change")
	if err := os.MkdirAll(manifest, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(manifest, link); err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(manifest)
	want := filepath.Join(real, LockDirName, "CHG7.lock")
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, link)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{manifest, link, rel, manifest + "/."} {
		got, err := LockPath(dir, "CHG7")
		if err != nil || got != want {
			t.Fatalf("LockPath(%s) = %s, %v; want %s", dir, got, err, want)
		}
	}
	if other, _ := LockPath(manifest, "CHG8"); other == want {
		t.Fatal("two changes share a lock")
	}
	l, err := Acquire(want)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	viaLink, _ := LockPath(link, "CHG7")
	var le *LockedError
	if _, err := Acquire(viaLink); !errors.As(err, &le) {
		t.Fatalf("the same change through a symlink: %v, want *LockedError", err)
	}
	ignore, err := os.ReadFile(filepath.Join(real, LockDirName, ".gitignore"))
	if err != nil || !strings.Contains(string(ignore), "\n*\n") {
		t.Fatalf("the lock folder does not ignore itself in git: %q, %v", ignore, err)
	}
	for _, bad := range []string{"..", "a/b", "."} {
		if _, err := LockPath(manifest, bad); err == nil {
			t.Errorf("LockPath accepts the change id %q", bad)
		}
	}
}

// TestForceUnlockNeedsIDAndDeadHolder: force-unlock removes only the lock
// whose id it is given, and never while its holder runs on this host.
func TestForceUnlockNeedsIDAndDeadHolder(t *testing.T) {
	path := lockPath(t)
	l, err := Acquire(path) // held by this very process: alive
	if err != nil {
		t.Fatal(err)
	}
	var refused *UnlockRefusedError
	if err := ForceUnlock(path, l.Info.ID); !errors.As(err, &refused) || !strings.Contains(err.Error(), "running") {
		t.Fatalf("force-unlock of a live holder: %v, want refused as running", err)
	}
	if err := ForceUnlock(path, "0000000000000000"); !errors.As(err, &refused) || !strings.Contains(err.Error(), "not the id") {
		t.Fatalf("force-unlock with another id: %v, want refused", err)
	}
	if held, err := ReadLock(path); err != nil || held.ID != l.Info.ID {
		t.Fatalf("the live lock is gone after refused force-unlocks: %+v %v", held, err)
	}
	l.Release()

	host, _ := os.Hostname()
	for _, holder := range []LockInfo{
		{ID: "1111111111111111", PID: deadPID(t), Host: host, User: "ops", Started: time.Now()},
		{ID: "2222222222222222", PID: os.Getpid(), Host: "ops-2.example.net", User: "ops", Started: time.Now()},
	} {
		writeLock(t, path, holder)
		if err := ForceUnlock(path, "ffffffffffffffff"); !errors.As(err, &refused) {
			t.Fatalf("force-unlock of %s with a wrong id: %v, want refused", holder, err)
		}
		if err := ForceUnlock(path, holder.ID); err != nil {
			t.Fatalf("force-unlock of %s: %v", holder, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("the lock of %s is still there", holder)
		}
	}
	if err := ForceUnlock(filepath.Join(t.TempDir(), "none", "CHG1.lock"), "x"); err != nil {
		t.Fatalf("force-unlock without a lock: %v", err)
	}
}
