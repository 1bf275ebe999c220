package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"
)

// DefaultMaxSize is the default limit on a manifest's total size, all files
// together: far above any real fleet, low enough that parsing and evaluating
// stay quick and small. The CLI raises it with --max-manifest-size.
const DefaultMaxSize int64 = 16 << 20

// ReadPath reads a manifest from path with the default size limit; see
// ReadPathMax.
func ReadPath(path string) (map[string][]byte, hcl.Diagnostics) {
	return ReadPathMax(path, DefaultMaxSize)
}

// ReadPathMax reads a manifest from path: a single file, or every *.hcl file
// of a directory (not its subdirectories), sorted by name. File names in the
// result are path-joined as given, so diagnostics show them the way the user
// typed them. This is the package's only file-system access.
//
// Every file that should be part of the manifest and cannot be read is an
// error naming it — a dangling or looping symbolic link, a file that is not
// readable or not a regular file — rather than being left out, since a
// manifest missing one of its files plans a different change. The files
// together may hold at most maxSize bytes (<= 0: DefaultMaxSize), and each
// must be text (UTF-8 without NUL bytes); a file that is not is reported and
// left out of the result, so its bytes are never echoed in a snippet.
func ReadPathMax(path string, maxSize int64) (map[string][]byte, hcl.Diagnostics) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, hcl.Diagnostics{fileError(path, err, "Give a manifest file or a directory holding *.hcl files.")}
	}
	names := []string{path}
	if info.IsDir() {
		var diags hcl.Diagnostics
		names, diags = listDir(path)
		if diags.HasErrors() {
			return nil, diags
		}
	}
	files := make(map[string][]byte, len(names))
	var diags hcl.Diagnostics
	var total int64
	for _, name := range names {
		b, err := readFile(name, maxSize-total)
		var tooBig *tooBigError
		switch {
		case errors.As(err, &tooBig):
			return nil, append(diags, sizeError(path, maxSize))
		case err != nil:
			diags = append(diags, fileError(name, err, "runbook reads every *.hcl file of a manifest directory: fix the file or remove it."))
			continue
		}
		total += int64(len(b))
		if d := CheckText(name, b); d != nil {
			diags = append(diags, d)
			continue
		}
		files[name] = b
	}
	return files, diags
}

// listDir returns the manifest files of a directory: its *.hcl entries not
// starting with a dot, sorted. Entries are not opened here; a symbolic link
// that loops or dangles is found by readFile and reported there.
func listDir(dir string) ([]string, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, hcl.Diagnostics{fileError(dir, err, "Check the directory's permissions.")}
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") || e.IsDir() {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			// A link to a directory named *.hcl is not a manifest file either.
			if info, err := os.Stat(name); err == nil && info.IsDir() {
				continue
			}
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No manifest files",
			Detail:   fmt.Sprintf("The directory %s holds no *.hcl file. Point runbook at a manifest file or at the directory that holds the manifest.", Sanitize(dir)),
		}}
	}
	sort.Strings(names)
	return names, nil
}

// tooBigError says a file would take the manifest over its size limit.
type tooBigError struct{}

func (tooBigError) Error() string { return "manifest too large" }

// readFile reads a regular file of at most limit bytes. The read itself is
// bounded too, so a file that grows, or lies about its size, cannot make it
// read without end. Opening is non-blocking, so a FIFO named like a manifest
// file is refused instead of waiting for a writer.
func readFile(name string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	if info.Size() > limit {
		return nil, &tooBigError{}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &tooBigError{}
	}
	return b, nil
}

var errNotRegular = errors.New("not a regular file")

// fileError describes why name cannot be read, in words an operator can act
// on, with hint appended.
func fileError(name string, err error, hint string) *hcl.Diagnostic {
	shown := Sanitize(name)
	var why string
	switch {
	case errors.Is(err, syscall.ELOOP):
		why = fmt.Sprintf("%s is a symbolic link that loops (too many levels of symbolic links).", shown)
	case errors.Is(err, fs.ErrNotExist):
		if target, lerr := os.Readlink(name); lerr == nil {
			why = fmt.Sprintf("%s is a symbolic link to %s, which does not exist.", shown, Sanitize(target))
		} else {
			why = fmt.Sprintf("%s does not exist.", shown)
		}
	case errors.Is(err, fs.ErrPermission):
		why = fmt.Sprintf("%s cannot be read: permission denied.", shown)
	case errors.Is(err, errNotRegular):
		why = fmt.Sprintf("%s is not a regular file.", shown)
	default:
		why = Sanitize(err.Error()) + "."
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read manifest", Detail: why + " " + hint}
}

func sizeError(path string, maxSize int64) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Manifest too large",
		Detail: fmt.Sprintf("The manifest at %s is larger than %s, the limit for all its files together. Check that PATH names the manifest; to plan a larger one, raise the limit with --max-manifest-size.",
			Sanitize(path), FormatSize(maxSize)),
	}
}

// FormatSize prints a byte count in the largest binary unit that divides it.
func FormatSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
