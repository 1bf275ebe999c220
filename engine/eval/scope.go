package eval

import (
	"fmt"
	"slices"
	"strings"
)

// SMGRCluster is the cluster name of the System Manager in a --cluster
// selection and in step ids.
const SMGRCluster = "smgr"

// ClusterNames lists the names a --cluster selection may use: the System
// Manager's "smgr" first (when the manifest has one), then the manifest's
// clusters in file order.
func (c *Config) ClusterNames() []string {
	var out []string
	if c.SMGR != nil {
		out = append(out, SMGRCluster)
	}
	for _, cl := range c.Clusters {
		out = append(out, cl.Name)
	}
	return out
}

// UnknownClusterError is a --cluster selection naming no cluster of the
// manifest. A selection that silently matched nothing would run nothing, or
// (with a typo among several names) less than the operator meant.
type UnknownClusterError struct {
	Name  string
	Known []string
}

func (e *UnknownClusterError) Error() string {
	hint, known := selectionHint(e.Name, e.Known)
	return fmt.Sprintf("--cluster %q names no cluster of the manifest.%s The clusters are: %s (System Manager is %q).",
		e.Name, hint, known, SMGRCluster)
}

// CheckClusters returns an *UnknownClusterError for the first name of a
// --cluster selection that names no cluster.
func (c *Config) CheckClusters(names []string) error {
	known := c.ClusterNames()
	for _, n := range names {
		if !slices.Contains(known, n) {
			return &UnknownClusterError{Name: n, Known: known}
		}
	}
	return nil
}

// selectionHint returns the " Did you mean …?" hint for a name that is none of
// known (empty when nothing is near) and known as a list ("none" when empty).
func selectionHint(name string, known []string) (hint, list string) {
	if s := Nearest(name, known); s != "" {
		hint = fmt.Sprintf(" Did you mean %q?", s)
	}
	list = "none"
	if len(known) > 0 {
		list = strings.Join(known, ", ")
	}
	return hint, list
}
