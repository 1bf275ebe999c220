package manifest

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout (hclwrite.Format): aligned
// equals signs, normalised indentation and spacing. It does not check the
// syntax; use FormatFile for that.
func Format(src []byte) []byte {
	return hclwrite.Format(src)
}

// FormatFile checks that src parses, then formats it. A file with syntax
// errors is returned unchanged with the diagnostics, because formatting a
// broken file could move text around in surprising ways.
func FormatFile(name string, src []byte) ([]byte, hcl.Diagnostics) {
	if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
		return src, diags
	}
	return hclwrite.Format(src), nil
}
