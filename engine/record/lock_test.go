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

func TestLockExclusiveNamesHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "CHG1")
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Warning != "" {
		t.Fatalf("unexpected warning %q", l.Warning)
	}
	assertMode(t, filepath.Join(dir, LockFile), 0o600)
	_, err = Acquire(dir)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Acquire = %v, want *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != os.Getpid() || le.Holder.Host != host || le.Holder.User == "" || le.Holder.Started.IsZero() {
		t.Fatalf("holder %+v", le.Holder)
	}
	for _, want := range []string{"pid " + itoa(os.Getpid()), host, le.Holder.User} {
		if !strings.Contains(le.Error(), want) {
			t.Fatalf("error %q does not name %q", le.Error(), want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
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

func writeLock(t *testing.T, dir string, info LockInfo) {
	t.Helper()
	os.MkdirAll(dir, 0o700)
	if err := createLock(filepath.Join(dir, LockFile), info); err != nil {
		t.Fatal(err)
	}
}

func TestLockStaleTakeover(t *testing.T) {
	dir := t.TempDir()
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
	dir := t.TempDir()
	writeLock(t, dir, LockInfo{PID: deadPID(t), Host: "elsewhere.example.net", User: "ops", Started: time.Now()})
	var le *LockedError
	if _, err := Acquire(dir); !errors.As(err, &le) || le.Holder.Host != "elsewhere.example.net" {
		t.Fatalf("lock of another host: %v", err)
	}
	if err := ForceUnlock(dir); err != nil {
		t.Fatal(err)
	}
	if err := ForceUnlock(dir); err != nil {
		t.Fatalf("ForceUnlock without lock: %v", err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after ForceUnlock: %v", err)
	}
	l.Release()

	// A live process on this host (the parent of the test binary) keeps it.
	host, _ := os.Hostname()
	writeLock(t, dir, LockInfo{PID: os.Getppid(), Host: host, User: "ops", Started: time.Now()})
	if _, err := Acquire(dir); !errors.As(err, &le) {
		t.Fatalf("live holder: %v", err)
	}
}

func TestLockUnreadableTakenOver(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, LockFile)
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
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	ForceUnlock(dir)
	other := LockInfo{PID: os.Getppid(), Host: "h", User: "u", Started: time.Now()}
	writeLock(t, dir, other)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if held, err := ReadLock(dir); err != nil || held.PID != other.PID {
		t.Fatalf("Release removed another holder's lock: %+v %v", held, err)
	}
}

func TestLockConcurrentAcquireOneWins(t *testing.T) {
	dir := t.TempDir()
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
