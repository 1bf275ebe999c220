package sshdtest

import (
	"fmt"
	"runtime"
	"testing"
)

// recordTB notes whether Start skipped or failed, then stops the goroutine
// the way testing does.
type recordTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recordTB) Helper() {}
func (r *recordTB) Skipf(f string, a ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(f, a...)
	runtime.Goexit()
}
func (r *recordTB) Fatalf(f string, a ...any) {
	r.failed, r.msg = true, fmt.Sprintf(f, a...)
	runtime.Goexit()
}

func startMissing(t *testing.T) *recordTB {
	r := &recordTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(r, Options{Binary: "/nonexistent/sshd"})
	}()
	<-done
	return r
}

func TestMissingDaemonSkipsLocallyButFailsInCI(t *testing.T) {
	t.Setenv("CI", "")
	if r := startMissing(t); !r.skipped || r.failed {
		t.Fatalf("without CI: skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	if r := startMissing(t); !r.failed || r.skipped {
		t.Fatalf("with CI: skipped=%v failed=%v, want a failure", r.skipped, r.failed)
	}
}
