package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/runbook-dev/runbook/engine/exec"
)

// interruptible returns a context that ends at the first SIGINT or SIGTERM:
// apply then starts nothing new, stops what it can at once and gives a
// change already running up to grace to end (exit 4 afterwards). A second
// signal exits at once with exit code 4, as Terraform does: the journal is
// fsynced event by event, so what ran is on disk, and a node whose step was
// still running is in unknown state. stop releases the signals.
func interruptible(io *stdio, grace time.Duration) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(io.ctx)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(io.err, "\nInterrupt received: no new step starts; a change already running gets up to %s to end. Interrupt again to exit at once.\n", grace)
		cancel()
		select {
		case <-sigs:
		case <-done:
			return
		}
		fmt.Fprintf(io.err, "\nSecond interrupt: exiting at once. A node whose step was still running is %s.\n", exec.UnknownState)
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		close(done)
		signal.Stop(sigs)
		cancel()
	}
}
