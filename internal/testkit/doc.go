// Package testkit holds the helpers the tests of several packages share:
// golden files (with the -update flag that rewrites them) and simulated
// nodes with a connection to them. Only tests import it.
package testkit
