// Package lab is the built-in rehearsal fleet behind `runbook apply --lab` and
// `runbook lab`: one simulated node (modules/sm/sim) per node of a manifest,
// each behind its own in-process SSH server on 127.0.0.1.
//
// The lab exists so that a rehearsal runs the real apply, over real SSH, with
// real host key verification, without a single real host: every node gets its
// own ed25519 host key, the lab writes a known_hosts file naming each node's
// 127.0.0.1 address and generates one client key, and the CLI reaches the
// nodes through Lab.Dialer, which replaces every manifest target (whose host
// is a production name such as sm-dal.example.net) with the node's lab
// address before anything is dialled. A node the lab does not serve is
// refused, never resolved.
//
// Layout of the lab directory:
//
//	DIR/id_ed25519        the lab client key (0600), accepted by every node
//	DIR/known_hosts       one [127.0.0.1]:PORT line per node
//	DIR/nodes/NAME/       the node's simulator state (sim.Init)
//	DIR/media/FILE        media synthesized for artifacts whose file is absent
package lab
