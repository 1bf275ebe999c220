// Package localpath resolves the controller paths a manifest names (the
// backup store, media files, key and known_hosts files) one way everywhere:
// a leading "~" is the home folder of the user running runbook, and a
// folder runbook writes into must be one of its own, never a system folder.
// Both the evaluator (which reports at the attribute) and the modules (which
// refuse at run time, whatever plan file they were given) use it.
package localpath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrUserHome is returned for "~name/…": runbook expands only its own
// user's "~", as a shell would for the operator, never another user's home.
var ErrUserHome = errors.New(`only "~" and "~/…" are expanded (the home folder of the user running runbook); write another user's folder as a full path`)

// ExpandHome turns a leading "~" or "~/" into the home folder of the user
// running runbook. Other paths are returned unchanged.
func ExpandHome(p string) (string, error) {
	if !strings.HasPrefix(p, "~") {
		return p, nil
	}
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return "", ErrUserHome
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("cannot expand %q: the home folder is unknown (%v); write the full path", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

// Resolve makes p absolute and clean, with ~ expanded and relative paths
// taken from base (the working directory when base is ""), then follows
// symbolic links as far as the path exists, so that a link cannot hide where
// a file really is. The part that does not exist yet is kept as written.
func Resolve(p, base string) (string, error) {
	p, err := ExpandHome(p)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) && base != "" {
		p = filepath.Join(base, p)
	}
	if p, err = filepath.Abs(p); err != nil {
		return "", err
	}
	rest := ""
	for cur := p; ; cur = filepath.Dir(cur) {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest), nil
		}
		if cur == filepath.Dir(cur) {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// Within reports whether p is dir or lies under it. Both must be resolved.
func Within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// systemTrees are folders whose whole subtree belongs to the system: runbook
// never writes backups anywhere in them.
var systemTrees = []string{"/bin", "/boot", "/dev", "/etc", "/proc", "/sbin", "/sys", "/usr", "/run"}

// systemDirs are folders that hold many unrelated things: a subfolder of
// them may be a dedicated store (/var/backups/runbook, /srv/backups), the
// folder itself is not.
var systemDirs = []string{"/", "/home", "/media", "/mnt", "/opt", "/root", "/snap", "/srv", "/tmp",
	"/var", "/var/backups", "/var/cache", "/var/lib", "/var/log", "/var/mail", "/var/opt", "/var/spool", "/var/tmp",
	"/Users", "/Volumes", "/private", "/private/var", "/private/tmp", "/Library", "/System", "/Applications"}

// NotDedicated says why the resolved folder dir cannot be a folder runbook
// creates subfolders in (the backup store, a media folder), or "" when it
// can. A store holds one folder per node name and runbook writes there as the
// user running it (often root), so it must be a folder of its own: not a
// system folder, not the user's home, not an ancestor of it, and not the
// folder of the manifest (or above it). manifestDir may be "" (unknown).
func NotDedicated(dir, manifestDir string) string {
	dir = filepath.Clean(dir)
	for _, t := range systemTrees {
		if Within(dir, t) {
			return fmt.Sprintf("inside the system folder %s", t)
		}
	}
	// /lib, /lib32, /lib64, /libx32 …
	if top := strings.SplitN(strings.TrimPrefix(dir, "/"), "/", 2)[0]; strings.HasPrefix(top, "lib") && filepath.IsAbs(dir) {
		return fmt.Sprintf("inside the system folder /%s", top)
	}
	for _, s := range systemDirs {
		if dir == s {
			return "a system folder"
		}
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if h, err := Resolve(home, ""); err == nil {
			switch {
			case dir == h:
				return "the home folder itself"
			case Within(h, dir):
				return "a folder that holds the home folder " + h
			}
		}
	}
	if manifestDir != "" {
		if m, err := Resolve(manifestDir, ""); err == nil {
			switch {
			case dir == m:
				return "the manifest's own folder"
			case Within(m, dir):
				return "a folder that holds the manifest's folder " + m
			}
		}
	}
	return ""
}

// MkdirPrivate creates dir and any missing parent with mode 0700 (less
// under a stricter umask). Folders that already exist are left as they are:
// runbook never changes the mode of a folder it did not create. The last
// element, when it exists, must be a real folder, not a symbolic link (a
// link in a node's backup folder would send the archive elsewhere).
func MkdirPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; runbook writes only into real folders", dir)
	case err == nil && !fi.IsDir():
		return fmt.Errorf("%s exists and is not a folder", dir)
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if parent := filepath.Dir(dir); parent != dir {
		if _, err := os.Stat(parent); errors.Is(err, os.ErrNotExist) {
			if err := MkdirPrivate(parent); err != nil {
				return err
			}
		}
	}
	if err := os.Mkdir(dir, 0o700); errors.Is(err, os.ErrExist) {
		// Created meanwhile by someone else: check what it is.
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s appeared meanwhile and is not a folder", dir)
		}
	} else if err != nil {
		return err
	}
	return nil
}
