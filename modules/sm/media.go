package sm

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/modules"
)

// Medium is what an installer medium on a node is: its sha256 there and
// what its header declares (the profile's media_info action).
type Medium struct {
	SHA256  string
	Kind    string // release | ssp
	Product string // session_manager | system_manager
	Release string
	SSP     int
	// Described is false when the profile has no media_info action for the
	// node's kind: only the checksum was read.
	Described bool
}

// ReadMedium reads the medium at path on the node behind conn with the
// profile's read-only checksum and media_info actions, so it runs before a
// node is drained (and under dry-run). Nothing is installed.
func ReadMedium(ctx context.Context, conn modules.Conn, kind string, p *Profile, path string) (Medium, error) {
	r := runner{p: p, conn: conn, kind: kind}
	for _, action := range []string{"checksum", "media_info"} {
		if a, err := p.Action(kind, action); err == nil && !a.ReadOnly {
			return Medium{}, fmt.Errorf("profile: %s.%s must be read_only", kind, action)
		}
	}
	sum, err := r.remoteSum(ctx, path)
	if err != nil {
		return Medium{}, err
	}
	m := Medium{SHA256: strings.ToLower(sum)}
	if !p.Has(kind, "media_info") {
		return m, nil
	}
	v, err := r.value(ctx, "media_info", map[string]string{"path": path})
	if err != nil {
		return m, err
	}
	get := func(k string) string {
		for key, val := range v.Map {
			if strings.EqualFold(key, k) {
				return val
			}
		}
		return ""
	}
	m.Kind, m.Product, m.Release = strings.ToLower(get("kind")), strings.ToLower(get("product")), get("release")
	m.SSP, _ = strconv.Atoi(get("ssp"))
	m.Described = true
	return m, nil
}
