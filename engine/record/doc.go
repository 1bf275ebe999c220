// Package record keeps the audit trail of a run (README "Execution, records
// and safety"): the append-only,
// fsynced journal, the lock that stops a second apply of the same change, the
// change record writers (plan.json, record.json, record.md), the listing and
// terminal rendering of records, and the git commit of a new record.
//
// Layout: records/<change_id>/.lock, and per run
// records/<change_id>/<UTC YYYYMMDDTHHMMSSZ>-<apply|dry-run>[-N]/ holding
// plan.json, journal.jsonl, record.json and record.md. Folders are 0700,
// files 0600.
//
// The journal is the record of truth while a run lives: record.json and
// record.md are written once at the end, and a run killed before that is
// rebuilt from plan.json and the journal (Load), by the same fold (Run.Apply)
// the live run used. Recorder ties these together for the executor.
//
// Everything this package writes passes through a Redactor first, so no
// sensitive variable, password or key passphrase reaches a record, a journal
// or an error message. Secrets of MinSecretLen bytes or more are redacted
// wherever they occur; shorter ones only where they stand as whole words.
package record
