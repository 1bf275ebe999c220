package ssh

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/modules"
	"github.com/runbook-dev/runbook/modules/ssh/sshdtest"
)

// The end-to-end setup: one program behind ForceCommand answers commands and
// serves the sftp subsystem, which arrives as SSH_ORIGINAL_COMMAND set to the
// Subsystem command. Commands, uploads (with the remote sha256sum) and
// downloads all pass through it.
func TestForceCommandDispatcherServesCommandsAndSFTP(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "dispatch")
	body := `#!/bin/sh
echo "$SSH_ORIGINAL_COMMAND" >> ` + filepath.Join(dir, "seen") + `
case "$SSH_ORIGINAL_COMMAND" in
internal-sftp) exec /usr/lib/openssh/sftp-server ;;
*) exec /bin/sh -c "$SSH_ORIGINAL_COMMAND" ;;
esac
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	s := sshdtest.Start(t, sshdtest.Options{ForceCommand: script})
	c := mustDial(t, testDialer(Options{}), s.Target("sm1"))
	if got := string(mustRun(t, c, "echo hello").Stdout); got != "hello\n" {
		t.Fatalf("stdout %q", got)
	}
	local := filepath.Join(dir, "media")
	os.WriteFile(local, []byte("media bytes"), 0o600)
	remote := filepath.Join(s.Home, "up", "media")
	sum, err := c.Upload(context.Background(), local, remote)
	if err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(dir, "back")
	if got, err := c.Download(context.Background(), remote, back); err != nil || got != sum {
		t.Fatalf("download = %q, %v; want %q", got, err, sum)
	}
	seen, _ := os.ReadFile(filepath.Join(dir, "seen"))
	want := []string{"echo hello", "internal-sftp", "sha256sum -- " + modules.Quote(remote)}
	for _, w := range want {
		if !strings.Contains(string(seen), w+"\n") {
			t.Errorf("dispatcher never saw %q; saw:\n%s", w, seen)
		}
	}
	if strings.Count(string(seen), "internal-sftp\n") != 1 {
		t.Errorf("SFTP subsystem started more than once per connection:\n%s", seen)
	}
}
