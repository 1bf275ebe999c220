// Command runbook plans and executes rolling upgrades of Avaya Aura Session
// Manager fleets from HCL manifests. See README.md.
package main

import "os"

func main() {
	os.Exit(exitCode(run(os.Args[1:], newStdio()), os.Stderr))
}
