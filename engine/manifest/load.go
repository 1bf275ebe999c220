package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// ReadPath reads a manifest from path: a single file, or every *.hcl file of
// a directory (not its subdirectories), sorted by name. File names in the
// result are path-joined as given, so diagnostics show them the way the user
// typed them. This is the package's only file-system access.
func ReadPath(path string) (map[string][]byte, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read manifest",
			Detail:   fmt.Sprintf("%s. Give a manifest file or a directory holding *.hcl files.", err),
		}}
	}
	var names []string
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read manifest", Detail: err.Error() + "."}}
		}
		for _, e := range entries {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".hcl") && !strings.HasPrefix(e.Name(), ".") {
				names = append(names, filepath.Join(path, e.Name()))
			}
		}
		if len(names) == 0 {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No manifest files",
				Detail:   fmt.Sprintf("The directory %s holds no *.hcl file. Point runbook at a manifest file or at the directory that holds the manifest.", path),
			}}
		}
		sort.Strings(names)
	} else {
		names = []string{path}
	}
	files := make(map[string][]byte, len(names))
	var diags hcl.Diagnostics
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read manifest", Detail: err.Error() + "."})
			continue
		}
		files[name] = b
	}
	return files, diags
}
