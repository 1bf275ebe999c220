// Package catalog loads the release catalog (schema/catalog.hcl, or a file
// given with --catalog): release lines per product, their latest release and
// SSP, the supported hops between lines, platform support, estimated phase
// durations, limits and the firewall port matrix.
//
// Vendor rules live in that data, not here: this package only knows how to
// read it and how to search it for the shortest supported path.
package catalog
