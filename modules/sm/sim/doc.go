// Package sim is a model of one Session Manager, Branch Session Manager or
// System Manager node, faithful to the node command line described in the
// project's domain notes. It exists because no real node is available to
// tests: cmd/smsim serves it behind OpenSSH (ForceCommand), the lab serves it
// from an in-process SSH server, and LocalConn serves it to unit tests with
// no SSH at all. All three go through Exec, so they see the same node.
//
// A node lives in a state directory, because under sshd every command is a new
// process:
//
//	DIR/state.json   the node's state (release, SSP, service state, calls, faults, history)
//	DIR/state.lock   flock(2) guard, so concurrent sessions see consistent state
//	DIR/data/        the node's user data; its digest must survive backup → upgrade → restore
//	DIR/root/        the node's filesystem as commands and SFTP see it
//	                 (/opt/Avaya/install.properties, /var/opt/backup, /var/tmp/runbook, …)
//
// Path mapping: the simulator rewrites no command line. The commands a module
// needs on files (sha256sum, mkdir -p, rm -f, test, cat, ls, df) are
// implemented by the simulator itself and resolve every path inside DIR/root,
// and SFTP is served confined to DIR/root, so an upload to /var/tmp/runbook/x
// and a later `sha256sum /var/tmp/runbook/x` meet in the same file. A command
// line the simulator does not model (a user's shell step) runs for real
// through /bin/sh -c, with no mapping, only where the host is the node: smsim
// serve behind sshd sets Env.RealShell. Everywhere else (the lab, LocalConn,
// smsim exec) the host is the operator's controller, and such a line is not
// run at all: it exits ExitNotExecuted with a NotExecutedMessage, which the
// lab reports as "not executed in the lab".
//
// The node command line the simulator answers (what schema/profile.hcl names):
//
//	swversion                         login shell only (bash -lc / sh -lc); "Release: X" on SM/BSM,
//	                                  "Software Update Revision: X" on SMGR; exit 127 otherwise
//	cat /opt/Avaya/install.properties Release=, SSP=, Product=, Platform=
//	statapp -s                        "NAME  n/n  UP|DOWN" per service; down while booting
//	smcli service-state [deny|accept] Deny/Accept New Service
//	smcli active-calls | users | data-digest | uds-backup | precheck | verify
//	smcli media-info P                what a medium holds: "Kind:", "Product:", "Release:", "SSP:" lines
//	df -Pm MOUNT…, date -u +FORMAT    free MiB per mount; the node clock with its skew
//	backupSM [--dir D]                tar.gz of the user data + manifest; prints "Backup archive: P"
//	restoreSM --archive P             refuses a corrupt archive or another product's
//	smDataMigration --archive P       the data migration utility
//	installSSP / upgradeSM --media P [--sha256 H]   SM and BSM installers; reboot
//	SMGRPatchdeploy --media P [--sha256 H]          SMGR's; reads the EULA answer (y) on stdin
//	reboot                            accepts only the literal answer "Yes" on stdin
//	sha256sum, mkdir -p, rm -f, test -e|-f|-d|-s, cat, ls   on the fake root
//	nc -z [-v] [-w N] HOST PORT       simulated port check: exit 1 for a blocked port, else 0;
//	                                  never connects (other nc uses are refused, not run)
//
// Faults (SetFault, smsim fault) fire on the command of a phase: precheck and
// verify on smcli precheck/verify, drain and undrain on the service-state
// change, backup, ssp, upgrade, restore and migrate on their tools. fail
// exits 1; hang blocks until the session ends; slow multiplies the phase's
// durations by 10; disconnect lets the command finish its work (as a nohup'd
// installer would) and then drops the connection through Env.Reboot.
package sim
