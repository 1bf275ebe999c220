package plan

import (
	"fmt"
	"testing"

	"github.com/runbook-dev/runbook/engine/catalog"
)

// smgrChange is the first change step (upgrade or migrate) of SMGR's hop to
// line to.
func smgrChange(p *Plan, line string) *Step {
	for _, id := range p.Order {
		s := p.StepByID(id)
		if s.Node == "smgr" && (s.Phase == PhaseUpgrade || s.Phase == PhaseMigrate) && catalog.LineOf(s.Hop.To) == line {
			return s
		}
	}
	return nil
}

// SMGR and SMs on 7.0 going to 10.2: rule 1 looks at each SM's release at
// the moment SMGR's change to 10.2 runs. An SM on 10.1 by then carries the
// 10.1 SSP (an SSP pass ordered before SMGR's change); otherwise its hop to
// 10.1 waits for SMGR's change, by a dependency, so no schedule puts it on
// 10.1 without its SSP when SMGR changes. With a BSM on 8.1.2.0, whose patch
// waits for its core SMs on 8.1 or later and whose SSP pass comes before
// SMGR's change, the SMs must be on 10.1 first and take the 10.1 SSP.
func TestSSPRuleAtTheMomentOfSMGRsChange(t *testing.T) {
	for _, withBSM := range []bool{false, true} {
		t.Run(fmt.Sprint("bsm=", withBSM), func(t *testing.T) {
			c := newConfig("10.2.0.1")
			smgr(c, "7.0.1.0")
			cl := addCluster(c, "core")
			sm(cl, "sm-a", "7.0.1.3", -1).Secondary = "sm-b"
			sm(cl, "sm-b", "7.0.1.3", -1).Secondary = "sm-a"
			if withBSM {
				bsm(cl, "bsm-a", "8.1.2.0", -1)
			}
			p, diags := compile(t, c)
			if diags.HasErrors() {
				t.Fatalf("refused: %v", rules(diags))
			}
			if err := checkInvariants(c, catalog.Default(), p); err != nil {
				t.Fatalf("%v\n%s", err, dump(p))
			}
			to102 := smgrChange(p, "10.2")
			if to102 == nil {
				t.Fatalf("no SMGR change to 10.2:\n%s", dump(p))
			}
			last := p.unitLast(to102)
			passes := 0
			for _, s := range p.Steps {
				if s.Node == "smgr" || s.Hop.Index == 0 || (s.Phase != PhaseUpgrade && s.Phase != PhaseMigrate) {
					continue
				}
				if catalog.CompareLines(catalog.LineOf(s.Hop.To), "8.1") < 0 || catalog.LineOf(s.Hop.To) == "10.2" {
					continue
				}
				// Either the hop waits for SMGR's change to 10.2, or SMGR's
				// change waits for the node's SSP pass on the hop's release.
				if reaches(p, last, s.ID) {
					continue
				}
				ssp := ""
				for _, o := range p.Steps {
					if o.Node == s.Node && o.Phase == PhaseSSP && o.Hop.From == s.Hop.To {
						ssp = o.ID
					}
				}
				if ssp == "" || !reaches(p, ssp, to102.ID) {
					t.Fatalf("%s (to %s) may run before SMGR's change to 10.2 without the %s SSP:\n%s", s.ID, s.Hop.To, s.Hop.To, dump(p))
				}
				if s.Hop.To == "10.1.3.0" {
					passes++
				}
			}
			if want := map[bool]int{false: 0, true: 2}[withBSM]; passes != want {
				t.Fatalf("%d SMs take the 10.1 SSP before SMGR's change, want %d:\n%s", passes, want, dump(p))
			}
		})
	}
}

// unitLast is the last step of the unit (node, hop) that s belongs to.
func (p *Plan) unitLast(s *Step) string {
	last := s.ID
	for _, id := range p.Order {
		o := p.StepByID(id)
		if o.Node == s.Node && o.Hop.Index == s.Hop.Index {
			last = id
		}
	}
	return last
}
