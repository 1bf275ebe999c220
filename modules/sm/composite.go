package sm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/modules"
)

// FactScript is the one command line that reads several read-only actions
// in a single session: each action's command on its own line, followed by a
// line printing an end marker with the action's exit status. The marker
// carries a nonce drawn for this script, so no output of a command can
// imitate it. Commands are rendered as the profile says (every value
// quoted); the script adds only printf lines with constant arguments.
type FactScript struct {
	Line    string
	Actions []string
	nonce   string
}

// factScript renders the script of actions for kind.
func factScript(p *Profile, kind string, actions []string) (FactScript, []modules.Command, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return FactScript{}, nil, err
	}
	fs := FactScript{Actions: actions, nonce: hex.EncodeToString(b[:])}
	cmds := make([]modules.Command, len(actions))
	var sb strings.Builder
	for i, action := range actions {
		a, err := p.Action(kind, action)
		if err != nil {
			return FactScript{}, nil, err
		}
		c, err := a.Cmd(nil)
		if err != nil {
			return FactScript{}, nil, err
		}
		cmds[i] = c
		// The newline before the marker ends the marker's line even after
		// an output without a trailing newline; parse removes it again.
		fmt.Fprintf(&sb, "%s\nprintf '\\n%s%%s\\n' \"$?\"\n", c.Line, fs.marker(i))
	}
	fs.Line = sb.String()
	return fs, cmds, nil
}

// marker is the end marker of action i, without its status.
func (fs FactScript) marker(i int) string { return fmt.Sprintf("__RB_%s_%d_", fs.nonce, i) }

// Part is one action's share of a fact script's output.
type Part struct {
	Stdout   []byte
	ExitCode int
}

// Split cuts the script's stdout at the markers, in order. It returns the
// parts of the actions whose marker was found: fewer than Actions when the
// script was stopped before its end.
func (fs FactScript) Split(out []byte) []Part {
	var parts []Part
	for i := range fs.Actions {
		m := []byte("\n" + fs.marker(i))
		j := bytes.Index(out, m)
		if j < 0 {
			break
		}
		rest := out[j+len(m):]
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			break
		}
		code, err := strconv.Atoi(string(rest[:nl]))
		if err != nil {
			break
		}
		parts = append(parts, Part{Stdout: out[:j], ExitCode: code})
		out = rest[nl+1:]
	}
	return parts
}

// composite runs the read-only actions as one fact script on one session
// and parses each action's output as a separate run would. Errors are typed
// as run's: the first action that failed gives a *CommandError.
func (r runner) composite(ctx context.Context, actions []string) ([]Value, error) {
	fs, cmds, err := factScript(r.p, r.kind, actions)
	if err != nil {
		return nil, err
	}
	c := modules.Command{Line: fs.Line, ReadOnly: true}
	for _, x := range cmds {
		c.Timeout += x.Timeout
	}
	res, err := r.conn.Run(ctx, c)
	if err != nil {
		return nil, &TransportError{Node: r.node, Action: "facts", Err: err}
	}
	if res.Skipped {
		return nil, errDryRun
	}
	parts := fs.Split(res.Stdout)
	values := make([]Value, len(actions))
	for i, action := range actions {
		if i >= len(parts) {
			// The script stopped before this action's marker: the shell
			// itself failed (an expired password, a killed session).
			code := res.ExitCode
			if code == 0 {
				return nil, fmt.Errorf("%s: %w", r.node, &ParseError{Action: action, Detail: "the fact script ended before this action's end marker"})
			}
			return nil, &CommandError{Node: r.node, Action: action, Line: cmds[i].Line, ExitCode: code, Output: tail(errOut(res.Stderr, res.Stdout), 400)}
		}
		p := parts[i]
		if p.ExitCode != 0 {
			return nil, &CommandError{Node: r.node, Action: action, Line: cmds[i].Line, ExitCode: p.ExitCode, Output: tail(errOut(res.Stderr, p.Stdout), 400)}
		}
		a, _ := r.p.Action(r.kind, action)
		v, err := a.ParseOutput(p.Stdout)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.node, err)
		}
		values[i] = v
	}
	return values, nil
}

// errOut is what a failure reports: stderr, or stdout when stderr is empty.
func errOut(stderr, stdout []byte) []byte {
	if len(stderr) == 0 {
		return stdout
	}
	return stderr
}
