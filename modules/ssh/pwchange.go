package ssh

import (
	"strings"
	"sync"
)

// passwordChangeSigns are what OpenSSH, PAM and the SM/SMGR CLI print when an
// aged-out password must be changed before anything runs (domain.md: the CLI
// account's password expires after 60 days). Left unanswered, such a prompt
// waits forever; seeing one ends the command with ErrPasswordChange.
var passwordChangeSigns = []string{
	"you must change your password",
	"your password has expired",
	"password change required",
	"required to change your password",
	"changing password for",
	"new password:",
}

func isPasswordChange(s string) bool {
	s = strings.ToLower(s)
	for _, sign := range passwordChangeSigns {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

// changeWatch scans a command's output for a forced password-change prompt.
// It keeps a short tail, so a sign split across writes is still seen.
type changeWatch struct {
	mu    sync.Mutex
	tail  []byte
	found chan struct{}
	once  sync.Once
}

func newChangeWatch() *changeWatch { return &changeWatch{found: make(chan struct{})} }

func (w *changeWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, p...)
	if isPasswordChange(string(w.tail)) {
		w.once.Do(func() { close(w.found) })
	}
	if n := len(w.tail); n > 64 {
		w.tail = append(w.tail[:0], w.tail[n-64:]...)
	}
	return len(p), nil
}

// quietWriter forwards to w and swallows its errors: a failing progress
// writer must not abort the command it watches.
type quietWriter struct {
	w interface{ Write([]byte) (int, error) }
}

func (q quietWriter) Write(p []byte) (int, error) {
	_, _ = q.w.Write(p)
	return len(p), nil
}
