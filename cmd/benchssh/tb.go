package main

import (
	"fmt"
	"os"
	"runtime"
	"testing"
)

// host is the testing.TB modules/ssh/sshdtest asks for, outside a test:
// folders under one root, cleanups run by close, and a fatal error that
// stops the daemons before the program exits. Only the methods sshdtest
// calls are provided; the embedded interface is nil.
type host struct {
	testing.TB
	root     string
	n        int
	cleanups []func()
	failed   bool
	keep     string // a folder under root to keep
}

func newHost() (*host, error) {
	root, err := os.MkdirTemp("", "benchssh-")
	if err != nil {
		return nil, err
	}
	return &host{root: root}, nil
}

func (h *host) Helper()          {}
func (h *host) Failed() bool     { return h.failed }
func (h *host) Cleanup(f func()) { h.cleanups = append(h.cleanups, f) }

// Logf drops the daemons' logs; -keep keeps the records to look at.
func (h *host) Logf(string, ...any) {}

func (h *host) TempDir() string {
	h.n++
	d := fmt.Sprintf("%s/%03d", h.root, h.n)
	if err := os.MkdirAll(d, 0o700); err != nil {
		h.Fatalf("benchssh: %v", err)
	}
	return d
}

func (h *host) Fatalf(f string, a ...any) {
	h.failed = true
	fmt.Fprintf(os.Stderr, f+"\n", a...)
	h.close()
	os.Exit(1)
}

func (h *host) Skipf(f string, a ...any) { h.Fatalf(f, a...) }

// close runs the cleanups, last first (the daemons stop), and removes the
// folders.
func (h *host) close() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
	if h.keep != "" {
		fmt.Fprintf(os.Stderr, "benchssh: kept %s\n", h.keep)
		return
	}
	os.RemoveAll(h.root)
	runtime.GC()
}
