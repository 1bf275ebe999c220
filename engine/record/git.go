package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// NotInRepoError says a record folder is not inside a git work tree, so
// `--commit` has nowhere to commit it.
type NotInRepoError struct {
	Dir    string
	Detail string // git's own words
}

func (e *NotInRepoError) Error() string {
	return fmt.Sprintf("cannot commit the record: %s is not inside a git repository", e.Dir)
}

// GitError is a failed git command, with what git printed.
type GitError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *GitError) Error() string {
	return fmt.Sprintf("git %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Stderr))
}

func (e *GitError) Unwrap() error { return e.Err }

// Commit commits the record folder dir, and nothing else, to the git
// repository that contains it. Files the user staged elsewhere stay staged
// and uncommitted: the commit is limited to dir by pathspec. It never pushes.
// message is used as given; pass it through the Redactor first if it may hold
// a secret.
func Commit(dir, message string) error {
	return CommitContext(context.Background(), dir, message)
}

// CommitContext is Commit with a context bounding the git commands.
func CommitContext(ctx context.Context, dir, message string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	top, err := git(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) && !errors.Is(err, exec.ErrNotFound) {
			return &NotInRepoError{Dir: abs, Detail: strings.TrimSpace(ge.Stderr)}
		}
		return err
	}
	top = strings.TrimSpace(top)
	// Resolve symlinks on both sides (a temp dir under /tmp may be a link),
	// so the pathspec is relative to what git calls the top level.
	realDir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(realTop, realDir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return &NotInRepoError{Dir: abs}
	}
	if _, err := git(ctx, realTop, "add", "--", rel); err != nil {
		return err
	}
	_, err = git(ctx, realTop, "commit", "--quiet", "-m", message, "--", rel)
	return err
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	full := append([]string{"-C", dir}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", &GitError{Args: args, Stderr: errb.String(), Err: err}
	}
	return out.String(), nil
}
