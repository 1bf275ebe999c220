package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/runbook-dev/runbook/engine/eval"
	"github.com/runbook-dev/runbook/engine/plan"
	"github.com/runbook-dev/runbook/engine/record"
)

// A saved plan pins what it was made with beyond the manifest: the
// variables' values and the media's content. apply PLANFILE runs with the
// pinned values and refuses others, so what runs is what was reviewed.

// pinnedVar is one variable's value in a saved plan. A sensitive value (or
// one holding a secret) is kept only as a salted sha256, and must be given
// again at apply.
type pinnedVar struct {
	Type      json.RawMessage `json:"type"`
	Value     json.RawMessage `json:"value,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
	SHA256    string          `json:"sha256,omitempty"`
}

// pinnedMedium is a medium the plan uploads: its file (absolute) and the
// sha256 of its content when the plan was made ("" when it was absent).
type pinnedMedium struct {
	Artifact string `json:"artifact"`
	File     string `json:"file"`
	SHA256   string `json:"sha256,omitempty"`
}

// pins are a saved plan's pinned variables and media.
type pins struct {
	Variables map[string]pinnedVar `json:"variables"`
	// Salt makes the hashes of sensitive values differ from plan to plan.
	Salt  string         `json:"variables_salt"`
	Media []pinnedMedium `json:"media"`
}

// makePins reads the variables of cfg and hashes the media p uploads.
func makePins(cfg *eval.Config, p *plan.Plan) (*pins, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	pn := &pins{Variables: map[string]pinnedVar{}, Salt: hex.EncodeToString(salt), Media: []pinnedMedium{}}
	for name, v := range cfg.Variables {
		ty, val, err := encodeValue(v.Value)
		if err != nil {
			return nil, fmt.Errorf("pinning var.%s: %w", name, err)
		}
		pv := pinnedVar{Type: ty}
		if v.Sensitive || holdsSecret(val, cfg.Secrets) {
			pv.Sensitive, pv.SHA256 = true, pn.hash(ty, val)
		} else {
			pv.Value = val
		}
		pn.Variables[name] = pv
	}
	seen := map[string]bool{}
	for _, s := range p.Steps {
		file := s.Args["local"]
		if s.Phase != plan.PhaseUpload || file == "" || seen[file] {
			continue
		}
		seen[file] = true
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		sum, err := fileSHA256(abs)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("medium of artifact %q: %w", s.Args["artifact"], err)
		}
		pn.Media = append(pn.Media, pinnedMedium{Artifact: s.Args["artifact"], File: abs, SHA256: sum})
	}
	sort.Slice(pn.Media, func(i, j int) bool { return pn.Media[i].File < pn.Media[j].File })
	return pn, nil
}

// values are the pinned values apply loads the manifest with (sensitive
// ones are not kept, so they are not among them).
func (pn *pins) values() (map[string]cty.Value, error) {
	out := map[string]cty.Value{}
	for name, pv := range pn.Variables {
		if pv.Sensitive {
			continue
		}
		ty, err := ctyjson.UnmarshalType(pv.Type)
		if err != nil {
			return nil, fmt.Errorf("the plan's value of var.%s: %w", name, err)
		}
		v, err := ctyjson.Unmarshal(pv.Value, ty)
		if err != nil {
			return nil, fmt.Errorf("the plan's value of var.%s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// checkVariables refuses variable values that differ from the pinned ones
// (sensitive ones compared by their salted hash), naming the variable.
func (pn *pins) checkVariables(cfg *eval.Config) error {
	for _, name := range slices.Sorted(maps.Keys(cfg.Variables)) {
		v := cfg.Variables[name]
		pv, ok := pn.Variables[name]
		if !ok {
			return fmt.Errorf("the plan file pins no value for var.%s: make the plan again with 'runbook plan --out'", name)
		}
		ty, val, err := encodeValue(v.Value)
		if err != nil {
			return fmt.Errorf("var.%s: %w", name, err)
		}
		if pv.Sensitive {
			if pn.hash(ty, val) != pv.SHA256 {
				return fmt.Errorf("var.%s is not the value the plan was made with: the plan keeps only a hash of this sensitive value, so give the same value again (-var, -var-file or %s%s), or make a new plan and review it",
					name, eval.EnvPrefix, name)
			}
			continue
		}
		if string(ty) != string(pv.Type) || string(val) != string(pv.Value) {
			return fmt.Errorf("var.%s = %s differs from the value the plan was made with (%s): apply PLANFILE runs the reviewed values; drop the -var, -var-file or %s%s that sets it, or make a new plan and review it",
				name, short(val), short(pv.Value), eval.EnvPrefix, name)
		}
	}
	return nil
}

// checkMedia refuses media whose content changed since the plan was made.
func (pn *pins) checkMedia() error {
	for _, m := range pn.Media {
		if m.SHA256 == "" {
			continue // absent when the plan was made: the declared sha256 is checked at apply
		}
		sum, err := fileSHA256(m.File)
		if err != nil {
			return fmt.Errorf("the medium of artifact %q (%s) the plan was made with cannot be read: %v", m.Artifact, m.File, err)
		}
		if sum != m.SHA256 {
			return fmt.Errorf("the medium of artifact %q (%s) changed since the plan was made (sha256 then %.12s…): put the reviewed file back, or make a new plan and review it",
				m.Artifact, m.File, m.SHA256)
		}
	}
	return nil
}

// hash is a sensitive value's salted sha256 over its type and value.
func (pn *pins) hash(ty, val []byte) string {
	h := sha256.New()
	h.Write([]byte(pn.Salt))
	h.Write([]byte{0})
	h.Write(ty)
	h.Write([]byte{0})
	h.Write(val)
	return hex.EncodeToString(h.Sum(nil))
}

// encodeValue is a variable's value as cty JSON (type and value), unmarked.
func encodeValue(v cty.Value) (json.RawMessage, json.RawMessage, error) {
	v, _ = v.UnmarkDeep()
	if v == cty.NilVal || !v.IsWhollyKnown() {
		return nil, nil, errors.New("the value is not known")
	}
	ty, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return nil, nil, err
	}
	val, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, nil, err
	}
	return ty, val, nil
}

// holdsSecret reports whether an encoded value holds a secret (a
// non-sensitive variable used as a password, say), as the redactor finds
// secrets in what is written.
func holdsSecret(val []byte, secrets []string) bool {
	return !bytes.Equal(record.NewRedactor(secrets...).Bytes(val), val)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// short is an encoded value for a message, cut when long.
func short(b []byte) string {
	if len(b) > 60 {
		return string(b[:57]) + "…"
	}
	return string(b)
}
