// Package schema carries the data the tool is built on, embedded in the
// binary: the release catalog (catalog.hcl) and the command profile
// (profile.hcl). Both are data so that a site can override them (--catalog,
// a profile block in the manifest) when the vendor publishes new releases or a
// node's CLI differs, without a code change.
package schema

import _ "embed"

// Catalog is the embedded release catalog (HCL).
//
//go:embed catalog.hcl
var Catalog []byte

// Profile is the embedded command profile (HCL).
//
//go:embed profile.hcl
var Profile []byte
