package wait_test

import (
	"context"
	"errors"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/wait"
)

func TestWait(t *testing.T) {
	if out, err := (wait.Module{}).Run(context.Background(), nil, modules.Task{Args: map[string]string{"duration": "1ms"}}); err != nil || out.Summary != "waited 1ms" {
		t.Fatalf("%+v %v", out, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (wait.Module{}).Run(ctx, nil, modules.Task{Args: map[string]string{"duration": "1h"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := (wait.Module{}).Commands(modules.Task{Args: map[string]string{"duration": "soon"}}); err == nil {
		t.Fatal("bad duration accepted")
	}
}

func TestPause(t *testing.T) {
	out, err := wait.Pause{}.Run(context.Background(), nil, modules.Task{Args: map[string]string{"message": "check the NOC"}})
	if err != nil || out.Summary != "pause: check the NOC" {
		t.Fatalf("%+v %v", out, err)
	}
	got := ""
	p := wait.Pause{Prompt: func(_ context.Context, m string) error { got = m; return errors.New("declined") }}
	if _, err := p.Run(context.Background(), nil, modules.Task{Args: map[string]string{"message": "go?"}}); err == nil || got != "go?" {
		t.Fatalf("prompt: %q %v", got, err)
	}
}
