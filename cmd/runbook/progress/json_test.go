package progress

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine/record"
)

func renderJSON(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	r := NewJSON(&out, record.NewRedactor(testSecret), WithClock(fixedClock))
	for _, e := range fixtureEvents() {
		r.Event(e)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestJSONGolden(t *testing.T) {
	out := renderJSON(t)
	golden(t, "events.golden", out)
	if bytes.Contains(out, []byte(testSecret)) {
		t.Errorf("the secret reached the stream:\n%s", out)
	}
}

// TestJSONSchema checks every line against the contract: one object per
// line, type and time always present, no key outside JSONFields, one line
// per event and nothing else on the writer.
func TestJSONSchema(t *testing.T) {
	out := renderJSON(t)
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", n, err, sc.Bytes())
		}
		for k := range m {
			if !slices.Contains(JSONFields, k) {
				t.Errorf("line %d: unknown key %q", n, k)
			}
		}
		typ, _ := m["type"].(string)
		ts, _ := m["time"].(string)
		if typ == "" || ts == "" {
			t.Errorf("line %d lacks type or time: %s", n, sc.Bytes())
		}
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Errorf("line %d: time %q: %v", n, ts, err)
		}
		if v, ok := m["message"]; ok && strings.TrimSpace(v.(string)) == "" {
			t.Errorf("line %d: empty message not omitted", n)
		}
	}
	if want := len(fixtureEvents()); n != want {
		t.Errorf("%d lines for %d events", n, want)
	}
}

func TestJSONKeepsExitCodeZero(t *testing.T) {
	var out bytes.Buffer
	NewJSON(&out, nil).Event(record.Event{Type: record.EventCommand, Time: at(1), Command: "true", ExitCode: record.ExitCode(0)})
	if !strings.Contains(out.String(), `"exit_code":0`) || !strings.Contains(out.String(), `"message":"true"`) {
		t.Errorf("line = %s", out.String())
	}
}
