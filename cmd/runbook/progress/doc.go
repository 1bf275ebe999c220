// Package progress renders the events of a run (engine/record.Event, as the
// executor delivers them to its Observer) for the operator watching apply:
//
//   - TTY: a live board redrawn in place on a terminal, one line per node,
//     a progress bar per cluster and overall, and a summary on Close;
//   - Plain: one timestamped line per meaningful event, for logs and pipes;
//   - JSON: one JSON object per line (`apply --json`), for scripts.
//
// Every renderer writes through the redactor it is given, on top of the
// redaction the executor already applies: a renderer is the last place a
// secret could reach a screen or a CI log, so it does not trust its input.
package progress
