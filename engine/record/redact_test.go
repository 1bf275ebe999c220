package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor("s3cr3t-pass", "s3cr3t", "", "42")
	cases := []struct{ in, want string }{
		{"login with s3cr3t-pass now", "login with (sensitive) now"},
		{"s3cr3t", "(sensitive)"},
		{"xs3cr3tx", "x(sensitive)x"}, // long secrets match inside words
		{"port 42 ok", "port (sensitive) ok"},
		{"port 4242 and 142 stay", "port 4242 and 142 stay"}, // short secrets: whole words only
		{"42", "(sensitive)"},
		{"(42)", "((sensitive))"},
		{"nothing here", "nothing here"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := string(r.Bytes([]byte(c.in))); got != c.want {
			t.Errorf("Bytes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactorQuotedForm(t *testing.T) {
	r := NewRedactor("it's-secret")
	line := "echo 'it'\"'\"'s-secret' | login"
	if got := r.String(line); strings.Contains(got, "secret") {
		t.Fatalf("quoted secret leaked: %q", got)
	}
}

func TestNilRedactorPassesThrough(t *testing.T) {
	var r *Redactor
	if r.String("abc") != "abc" || string(r.Bytes([]byte("x"))) != "x" || !r.Empty() {
		t.Fatal("nil redactor changed its input")
	}
	err := errors.New("e")
	if r.Err(err) != err {
		t.Fatal("nil redactor wrapped an error")
	}
}

// TestWriterStraddle writes a stream holding secrets at every possible split
// point, in one, two and byte-sized writes, and checks the result equals the
// one-shot redaction.
func TestWriterStraddle(t *testing.T) {
	r := NewRedactor("hunter2-password", "hunter2", "pin")
	in := "user ok\npassword: hunter2-password\nretry hunter2 pin\nspin pin\nhunter2"
	want := r.String(in)
	if strings.Contains(want, "hunter2") || !strings.Contains(want, "spin") {
		t.Fatalf("bad reference redaction %q", want)
	}
	for split := 0; split <= len(in); split++ {
		var out bytes.Buffer
		w := r.Writer(&out)
		mustWrite(t, w, in[:split])
		mustWrite(t, w, in[split:])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("split at %d: got %q, want %q", split, out.String(), want)
		}
	}
	var out bytes.Buffer
	w := r.Writer(&out)
	for i := 0; i < len(in); i++ {
		mustWrite(t, w, in[i:i+1])
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Fatalf("secret leaked before Flush: %q", out.String())
	}
	w.Flush()
	if out.String() != want {
		t.Fatalf("byte writes: got %q, want %q", out.String(), want)
	}
}

func mustWrite(t *testing.T, w *Writer, s string) {
	t.Helper()
	n, err := w.Write([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("Write = %d, %v", n, err)
	}
}

type codeError struct{ Code int }

func (e *codeError) Error() string { return "code error with token abcd1234" }

func TestErrRedactsAndUnwraps(t *testing.T) {
	r := NewRedactor("abcd1234")
	inner := &codeError{Code: 7}
	wrapped := r.Err(errors.Join(fs.ErrNotExist, inner))
	if strings.Contains(wrapped.Error(), "abcd1234") {
		t.Fatalf("secret in error: %q", wrapped)
	}
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Fatal("errors.Is lost through Err")
	}
	var ce *codeError
	if !errors.As(wrapped, &ce) || ce.Code != 7 {
		t.Fatal("errors.As lost through Err")
	}
	if r.Err(wrapped) != wrapped {
		t.Fatal("Err wrapped twice")
	}
	if r.Err(nil) != nil {
		t.Fatal("Err(nil) != nil")
	}
}

func TestJSONRedactsEscapedSecrets(t *testing.T) {
	secret := `pa"ss\word`
	r := NewRedactor(secret)
	doc, _ := json.Marshal(map[string]any{"message": "login " + secret + " failed", "list": []string{secret}, secret: 1})
	if !bytes.Contains(doc, []byte(`pa\"ss\\word`)) {
		t.Fatalf("fixture: escaped form missing in %s", doc)
	}
	red := r.JSON(doc)
	if !json.Valid(red) {
		t.Fatalf("redacted JSON is invalid: %s", red)
	}
	var back map[string]any
	json.Unmarshal(red, &back)
	if back["message"] != "login (sensitive) failed" || back["list"].([]any)[0] != Placeholder || back[Placeholder] == nil {
		t.Fatalf("JSON not redacted: %s", red)
	}
}

func TestWith(t *testing.T) {
	base := NewRedactor("first-secret")
	more := base.With("second-secret")
	if more.String("first-secret second-secret") != Placeholder+" "+Placeholder {
		t.Fatal("With lost a secret")
	}
	if base.String("second-secret") != "second-secret" {
		t.Fatal("With changed the original")
	}
}

// FuzzWriterMatchesString checks the streaming writer redacts exactly as the
// one-shot redaction, wherever the stream is cut.
func FuzzWriterMatchesString(f *testing.F) {
	f.Add("xx secret-one yy ab secret-on", uint8(7), uint8(3))
	f.Add("ab ab ab", uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, in string, a, b uint8) {
		r := NewRedactor("secret-one", "secret", "ab", "é!")
		var out bytes.Buffer
		w := r.Writer(&out)
		cuts := []int{int(a) % (len(in) + 1), int(b) % (len(in) + 1)}
		if cuts[0] > cuts[1] {
			cuts[0], cuts[1] = cuts[1], cuts[0]
		}
		w.Write([]byte(in[:cuts[0]]))
		w.Write([]byte(in[cuts[0]:cuts[1]]))
		w.Write([]byte(in[cuts[1]:]))
		w.Close()
		if want := r.String(in); out.String() != want {
			t.Fatalf("stream %q, one-shot %q", out.String(), want)
		}
	})
}

func BenchmarkWriter(b *testing.B) {
	r := NewRedactor("hunter2-password", "s3cr3t-passphrase", "api-key-0123456789", "pin")
	chunk := bytes.Repeat([]byte("INFO backup of /var/opt/Avaya progressing 42% pin hunter2-password\n"), 64)
	b.SetBytes(int64(len(chunk)))
	w := r.Writer(io.Discard)
	for b.Loop() {
		w.Write(chunk)
	}
	w.Close()
}
