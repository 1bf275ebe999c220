package sim

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/runbook-dev/runbook/internal/rollout"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Media is what a simulated installer medium declares in its header. The
// file is a text header, a "---" line, then a payload whose sha256 the header
// carries, so a damaged file is caught even when no checksum is given.
type Media struct {
	Kind    string // release | ssp
	Product string // session_manager | system_manager
	Release string // the release installed (kind release) or patched (kind ssp)
	SSP     int    // SSP level (kind ssp)
}

const (
	mediaMagic   = "AVAYA-AURA-SIM-MEDIA 1"
	payloadBytes = 64 << 10
)

// Validate checks the declared fields.
func (m Media) Validate() error {
	if m.Kind != "release" && m.Kind != "ssp" {
		return fmt.Errorf("media kind %q: want release or ssp", m.Kind)
	}
	if !slices.Contains(rollout.Products(), m.Product) {
		return fmt.Errorf("media product %q: want %s", m.Product, strings.Join(rollout.Products(), " or "))
	}
	if !releaseRE.MatchString(m.Release) {
		return fmt.Errorf("media release %q is not of the form A.B.C.D", m.Release)
	}
	if m.Kind == "ssp" && m.SSP < 1 {
		return fmt.Errorf("an ssp medium needs an SSP level of 1 or more")
	}
	return nil
}

// WriteMedia writes a medium the simulated installers accept and returns its
// sha256 (what an artifact block declares). The payload is deterministic, so
// the same medium always has the same checksum.
func WriteMedia(path string, m Media) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	payload := make([]byte, payloadBytes)
	seed := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%d", m.Kind, m.Product, m.Release, m.SSP)))
	for i := 0; i < len(payload); i += len(seed) {
		copy(payload[i:], seed[:])
		seed = sha256.Sum256(seed[:])
	}
	sum := sha256.Sum256(payload)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nkind=%s\nproduct=%s\nrelease=%s\nssp=%d\npayload_sha256=%s\n---\n",
		mediaMagic, m.Kind, m.Product, m.Release, m.SSP, hex.EncodeToString(sum[:]))
	b.Write(payload)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return "", err
	}
	all := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(all[:]), nil
}

// ReadMedia reads and checks a medium: header, fields and payload checksum.
func ReadMedia(path string) (Media, error) {
	f, err := os.Open(path)
	if err != nil {
		return Media{}, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	first, _ := r.ReadString('\n')
	if strings.TrimSpace(first) != mediaMagic {
		return Media{}, fmt.Errorf("not an installer medium")
	}
	var m Media
	want := ""
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return Media{}, fmt.Errorf("truncated header")
		}
		l = strings.TrimSpace(l)
		if l == "---" {
			break
		}
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "kind":
			m.Kind = v
		case "product":
			m.Product = v
		case "release":
			m.Release = v
		case "ssp":
			m.SSP, _ = strconv.Atoi(v)
		case "payload_sha256":
			want = v
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return Media{}, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return Media{}, fmt.Errorf("corrupt (payload checksum mismatch)")
	}
	return m, m.Validate()
}
