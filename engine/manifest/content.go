package manifest

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Content decodes body against s like body.Content, and completes HCL's
// "Unsupported argument" / "Unsupported block type" diagnostics with the list
// of valid names when HCL found no close "did you mean" suggestion, so every
// such error carries a fix hint.
func Content(body hcl.Body, s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	content, diags := body.Content(s)
	if content == nil {
		content = &hcl.BodyContent{Attributes: hcl.Attributes{}}
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		switch d.Summary {
		case "Unsupported argument":
			d.Detail += " " + validList("arguments", attrNames(s))
		case "Unsupported block type":
			d.Detail += " " + validList("blocks", blockNames(s))
		}
	}
	return content, diags
}

func validList(what string, names []string) string {
	if len(names) == 0 {
		return "No " + what + " are expected here."
	}
	sort.Strings(names)
	return "Valid " + what + " here: " + strings.Join(names, ", ") + "."
}

func attrNames(s *hcl.BodySchema) []string {
	var out []string
	for _, a := range s.Attributes {
		out = append(out, a.Name)
	}
	return out
}

func blockNames(s *hcl.BodySchema) []string {
	var out []string
	for _, b := range s.Blocks {
		out = append(out, b.Type)
	}
	return out
}
