package modules

import "testing"

func TestSpecChangesFacts(t *testing.T) {
	withArg := Spec{Name: "shell", Args: []Arg{{Name: ChangesFactsArg, Type: Bool}}}
	keeps := Spec{Name: "wait", KeepsFacts: true}
	plain := Spec{Name: "copy"}
	for _, c := range []struct {
		s    Spec
		args map[string]string
		want bool
	}{
		{withArg, nil, true},
		{withArg, map[string]string{ChangesFactsArg: "true"}, true},
		{withArg, map[string]string{ChangesFactsArg: "false"}, false},
		{keeps, nil, false},
		{keeps, map[string]string{ChangesFactsArg: "true"}, false},
		{plain, map[string]string{ChangesFactsArg: "false"}, true},
	} {
		if got := c.s.ChangesFacts(c.args); got != c.want {
			t.Errorf("%s %v: ChangesFacts = %v, want %v", c.s.Name, c.args, got, c.want)
		}
	}
}
