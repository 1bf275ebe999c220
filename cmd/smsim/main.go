// Command smsim is the Session Manager simulator: a node's command line for
// tests and rehearsals, served behind OpenSSH with
// `ForceCommand smsim serve --state DIR`. All behaviour lives in
// modules/sm/sim; this command only maps flags onto it.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
