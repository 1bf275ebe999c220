package eval_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/engine/eval"
)

func load(t *testing.T, src string, opts eval.LoadOptions) *eval.Config {
	t.Helper()
	opts.Files = map[string][]byte{"main.hcl": []byte(src)}
	cfg, diags := eval.Load(opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	return cfg
}

func loadErr(t *testing.T, src string, opts eval.LoadOptions) hcl.Diagnostics {
	t.Helper()
	opts.Files = map[string][]byte{"main.hcl": []byte(src)}
	_, diags := eval.Load(opts)
	if !diags.HasErrors() {
		t.Fatalf("want errors, got none")
	}
	return diags
}

const minimal = `
runbook "r" { target = "10.2.0.1" }
cluster "core" {
  session_manager "sm-dal" {
    host    = "sm-dal.example.net"
    release = "8.1.3.8"
  }
}
`

func TestDefaults(t *testing.T) {
	cfg := load(t, minimal, eval.LoadOptions{})
	p := cfg.Runbook.Policy
	if p.MaxActiveCalls != 0 || p.DrainTimeout != 30*time.Minute || p.Parallel != 1 || p.OnFailure != "halt" ||
		!p.MultiHop || p.Method != "backup_restore" || p.BranchParallel != 1 || p.Durations == nil {
		t.Errorf("policy defaults: %+v", p)
	}
	c := cfg.Connections["default"]
	if c == nil || c.Port != 22 || c.HostKeyCheck != "strict" || c.KnownHostsFile != "~/.ssh/known_hosts" || c.Timeout != 15*time.Second {
		t.Errorf("connection defaults: %+v", c)
	}
	if cfg.Backup.Store != "backups" || cfg.Lab != nil || cfg.SMGR != nil || cfg.Runbook.Window != nil {
		t.Errorf("backup/lab/smgr/window defaults: %+v %+v %+v", cfg.Backup, cfg.Lab, cfg.SMGR)
	}
	n := cfg.NodeByName("sm-dal")
	if n == nil || n.SSP != -1 || n.Port != 0 || n.Kind != eval.KindSM || n.Cluster != "core" || n.Target != "" || n.Connection != "" {
		t.Errorf("node defaults: %+v", n)
	}
	if _, ok := n.Attrs["host"]; !ok || n.Attrs["host"].Start.Line != 5 {
		t.Errorf("node attribute ranges: %+v", n.Attrs)
	}
}

func TestDesignExample(t *testing.T) {
	cfg, diags := eval.Load(eval.LoadOptions{Path: "testdata/valid/design.hcl", Vars: []string{"ssh_password=hunter2"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if cfg.Dir != "testdata/valid" || cfg.Files["testdata/valid/design.hcl"] == nil {
		t.Errorf("Dir/Files: %q %v", cfg.Dir, len(cfg.Files))
	}
	w := cfg.Runbook.Window
	if w == nil || w.End.Sub(w.Start) != 4*time.Hour {
		t.Errorf("window: %+v", w)
	}
	if cfg.Runbook.Policy.Durations["backup"] != 5*time.Minute || cfg.Runbook.Policy.Durations["upgrade"] != 45*time.Minute {
		t.Errorf("durations: %v", cfg.Runbook.Policy.Durations)
	}
	var order []string
	for _, n := range cfg.Clusters[0].Nodes {
		order = append(order, n.Name)
	}
	if strings.Join(order, ",") != "sm-dal,sm-chi,bsm-austin" {
		t.Errorf("node order: %v", order)
	}
	if n := cfg.NodeByName("sm-dal"); n.Host != "sm-dal.example.net" || n.SSP != 41 || n.Secondary != "sm-chi" {
		t.Errorf("sm-dal (host built from local.site): %+v", n)
	}
	if cfg.SMGR.Kind != eval.KindSMGR || cfg.SMGR.Cluster != "smgr" || cfg.SMGR.Target != "10.2.0.1" {
		t.Errorf("smgr: %+v", cfg.SMGR)
	}
	a := cfg.Artifacts[0]
	if a.Kind != "release" || a.Product != "session_manager" || a.Release != "10.2.0.1" || len(a.SHA256) != 64 {
		t.Errorf("artifact: %+v", a)
	}
	s := cfg.Steps[0]
	if s.Module != "shell" || s.Before != "drain" || s.Args["command"] == nil || len(s.Nodes) != 1 {
		t.Errorf("step: %+v", s)
	}
	ln := cfg.Lab.Nodes["sm-chi"]
	if ln.ActiveCalls != 12 || ln.Users != 2000 || ln.Fail != "backup" || ln.Disconnect != "upgrade" || ln.DiskFreeMB != 100 || ln.ClockSkew != 5*time.Minute {
		t.Errorf("lab: %+v", ln)
	}
	if cfg.Connections["default"].Password != "hunter2" || cfg.Connections["default"].Jump != "ops@bastion.example.net:22" {
		t.Errorf("connection: %+v", cfg.Connections["default"])
	}
	if len(cfg.Secrets) != 1 || cfg.Secrets[0] != "hunter2" {
		t.Errorf("secrets: %v", cfg.Secrets)
	}
}

const varsManifest = `
runbook "r" { target = "10.2.0.1" }
variable "site" {
  type    = string
  default = "default"
}
variable "calls" {
  type    = number
  default = 0
}
variable "sites" {
  type    = list(string)
  default = []
}
locals { desc = "${var.site}/${var.calls}/${join(",", var.sites)}" }
runbook_placeholder
`

func varsSrc() string {
	return strings.Replace(varsManifest, "runbook_placeholder\n", "", 1) + `
variable "desc_out" { default = "" }
`
}

func descOf(t *testing.T, opts eval.LoadOptions) string {
	t.Helper()
	src := strings.Replace(varsSrc(), `runbook "r" { target = "10.2.0.1" }`,
		`runbook "r" {
  target      = "10.2.0.1"
  description = local.desc
}`, 1)
	return load(t, src, opts).Runbook.Description
}

func TestVariablePrecedence(t *testing.T) {
	dir := t.TempDir()
	f1 := filepath.Join(dir, "one.hcl")
	f2 := filepath.Join(dir, "two.json")
	os.WriteFile(f1, []byte("site = \"file1\"\ncalls = 3\n"), 0o600)
	os.WriteFile(f2, []byte(`{"site": "file2", "sites": ["x", "y"]}`), 0o600)
	cases := []struct {
		name string
		opts eval.LoadOptions
		want string
	}{
		{"defaults", eval.LoadOptions{}, "default/0/"},
		{"env", eval.LoadOptions{Env: []string{"RUNBOOK_VAR_site=env", "RUNBOOK_VAR_calls=7", "OTHER=1"}}, "env/7/"},
		{"env list parsed as HCL", eval.LoadOptions{Env: []string{`RUNBOOK_VAR_sites=["a","b"]`}}, "default/0/a,b"},
		{"var file over env", eval.LoadOptions{Env: []string{"RUNBOOK_VAR_site=env"}, VarFiles: []string{f1}}, "file1/3/"},
		{"later var file wins", eval.LoadOptions{VarFiles: []string{f1, f2}}, "file2/3/x,y"},
		{"-var over all", eval.LoadOptions{Env: []string{"RUNBOOK_VAR_site=env"}, VarFiles: []string{f1}, Vars: []string{"site=cli", "site=cli2"}}, "cli2/3/"},
		{"-var keeps '=' in value", eval.LoadOptions{Vars: []string{"site=a=b"}}, "a=b/0/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := descOf(t, c.opts); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestVariableErrors(t *testing.T) {
	src := varsSrc()
	cases := []struct {
		opts    eval.LoadOptions
		summary string
	}{
		{eval.LoadOptions{Vars: []string{"nope=1"}}, "Value for undeclared variable"},
		{eval.LoadOptions{Vars: []string{"novalue"}}, "Invalid -var option"},
		{eval.LoadOptions{Vars: []string{"calls=many"}}, "Invalid value for variable"},
		{eval.LoadOptions{Env: []string{"RUNBOOK_VAR_sites=[unclosed"}}, "Invalid value for variable"},
		{eval.LoadOptions{VarFiles: []string{"/nonexistent/file.hcl"}}, "Cannot read variables file"},
	}
	for _, c := range cases {
		diags := loadErr(t, src, c.opts)
		if !strings.Contains(diags.Error(), c.summary) {
			t.Errorf("%+v: want %q, got %v", c.opts, c.summary, diags)
		}
	}
	// An undeclared name in a var file is a warning, an undeclared env var is ignored.
	dir := t.TempDir()
	f := filepath.Join(dir, "x.hcl")
	os.WriteFile(f, []byte("stie = \"x\"\n"), 0o600)
	cfg, diags := eval.Load(eval.LoadOptions{Files: map[string][]byte{"m.hcl": []byte(src)}, VarFiles: []string{f}, Env: []string{"RUNBOOK_VAR_zzz=1"}})
	if diags.HasErrors() || len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || !strings.Contains(diags[0].Detail, `Did you mean "site"?`) {
		t.Errorf("var file warning: %v", diags)
	}
	if cfg.Files[f] == nil {
		t.Errorf("var file not kept for snippets")
	}
}

func TestRequiredVariable(t *testing.T) {
	src := minimal + "variable \"token\" { type = string }\n"
	diags := loadErr(t, src, eval.LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "No value for required variable" || !strings.Contains(diags[0].Detail, "RUNBOOK_VAR_token") {
		t.Fatalf("got %v", diags)
	}
	cfg := load(t, src, eval.LoadOptions{Env: []string{"RUNBOOK_VAR_token=t0k"}})
	if v := cfg.Variables["token"].Value; v.AsString() != "t0k" {
		t.Errorf("value %v", v)
	}
}

func TestValidation(t *testing.T) {
	src := minimal + `
variable "site" {
  type    = string
  default = "dal"
  validation {
    condition     = length(var.site) == 3
    error_message = "site is a three-letter code, not ${var.site}"
  }
}`
	load(t, src, eval.LoadOptions{})
	diags := loadErr(t, src, eval.LoadOptions{Vars: []string{"site=paris"}})
	if !strings.Contains(diags.Error(), "site is a three-letter code, not paris") || diags[0].Subject == nil {
		t.Errorf("validation: %v", diags)
	}
	secret := strings.Replace(src, `type    = string`, "type = string\n  sensitive = true", 1)
	diags = loadErr(t, secret, eval.LoadOptions{Vars: []string{"site=topsecret"}})
	for _, d := range diags {
		if strings.Contains(d.Detail+d.Summary, "topsecret") {
			t.Errorf("sensitive value leaked in %q", d.Detail)
		}
	}
}

func TestSecrets(t *testing.T) {
	src := minimal + `
variable "pw" {
  type      = string
  sensitive = true
}
variable "plain" { default = "open" }
variable "token" {
  type      = map(string)
  sensitive = true
  default   = { a = "tok-a", b = "tok-b" }
}
locals { derived = "user:${var.pw}" }
connection "default" {
  password = "literal-pw"
}
connection "other" {
  user     = "u"
  password = local.derived
}
`
	cfg := load(t, src, eval.LoadOptions{Vars: []string{"pw=s3cret"}})
	want := "literal-pw,s3cret,tok-a,tok-b,user:s3cret"
	if got := strings.Join(cfg.Secrets, ","); got != want {
		t.Errorf("secrets = %q, want %q", got, want)
	}
	if !cfg.Variables["pw"].Sensitive || cfg.Variables["plain"].Sensitive {
		t.Errorf("sensitive flags: %+v", cfg.Variables)
	}
	if cfg.Connections["other"].Password != "user:s3cret" {
		t.Errorf("password value: %q", cfg.Connections["other"].Password)
	}
}

func TestSHA256(t *testing.T) {
	a := load(t, minimal, eval.LoadOptions{})
	b := load(t, minimal, eval.LoadOptions{})
	c := load(t, minimal+"\n", eval.LoadOptions{})
	if a.SHA256 != b.SHA256 || a.SHA256 == c.SHA256 || len(a.SHA256) != 64 {
		t.Errorf("hash: %s %s %s", a.SHA256, b.SHA256, c.SHA256)
	}
	// The hash covers file names and does not depend on the directory.
	d, _ := eval.Load(eval.LoadOptions{Files: map[string][]byte{"x/main.hcl": []byte(minimal)}})
	e, _ := eval.Load(eval.LoadOptions{Files: map[string][]byte{"other.hcl": []byte(minimal)}})
	if d.SHA256 != a.SHA256 || e.SHA256 == a.SHA256 {
		t.Errorf("hash and names: %s %s %s", a.SHA256, d.SHA256, e.SHA256)
	}
}

func TestLocalsOrderAndFunctions(t *testing.T) {
	src := minimal + `
locals {
  z = upper(local.y)
  y = format("%s-%d", local.x, max(1, 5, 3))
  x = join("+", concat(split(",", "a,b"), ["c"]))
  n = length("abcd") + length([1, 2]) + tonumber("1")
  m = lookup(merge({ a = "1" }, { b = "2" }), "b", "none")
  r = regex("[0-9]+", "sm42")
  j = jsonencode({ k = coalesce(null, "", "v") })
  t = trimspace(replace("  a-b  ", "-", "_"))
}
`
	cfg := load(t, src, eval.LoadOptions{})
	local := cfg.Ctx.Variables["local"]
	want := map[string]cty.Value{
		"z": cty.StringVal("A+B+C-5"), "n": cty.NumberIntVal(7), "m": cty.StringVal("2"),
		"r": cty.StringVal("42"), "j": cty.StringVal(`{"k":"v"}`), "t": cty.StringVal("a_b"),
	}
	for k, v := range want {
		if got := local.GetAttr(k); !got.RawEquals(v) {
			t.Errorf("local.%s = %#v, want %#v", k, got, v)
		}
	}
}

func TestNodeContext(t *testing.T) {
	src := minimal + `
locals { tag = "rb" }
step "notify" {
  module  = "shell"
  command = "logger -t ${local.tag} '${node.name}@${node.host} ${node.kind}/${node.cluster} ${node.release}->${node.target}'"
}
guard "space" {
  phase     = "upgrade"
  condition = facts.disk_free_mb["/var"] > 4096 && node.platform == ""
  message   = "need space on ${node.name}"
}
`
	cfg := load(t, src, eval.LoadOptions{})
	n := cfg.NodeByName("sm-dal")
	ctx := cfg.NodeContextFor(n, map[string]cty.Value{
		"disk_free_mb": cty.MapVal(map[string]cty.Value{"/var": cty.NumberIntVal(5000)}),
	})
	cmd, diags := eval.EvalString(cfg.Steps[0].Args["command"], ctx)
	if diags.HasErrors() || cmd != "logger -t rb 'sm-dal@sm-dal.example.net session_manager/core 8.1.3.8->10.2.0.1'" {
		t.Errorf("command = %q %v", cmd, diags)
	}
	ok, diags := eval.EvalBool(cfg.Guards[0].Condition, ctx)
	if diags.HasErrors() || !ok {
		t.Errorf("condition = %v %v", ok, diags)
	}
	low := eval.NodeContext(cfg.Ctx, n, map[string]cty.Value{
		"disk_free_mb": cty.MapVal(map[string]cty.Value{"/var": cty.NumberIntVal(10)}),
	})
	if ok, _ := eval.EvalBool(cfg.Guards[0].Condition, low); ok {
		t.Errorf("condition true with 10 MB free")
	}
	// Without facts the guard cannot be decided: an error, not a panic or a false pass.
	if _, diags := eval.EvalBool(cfg.Guards[0].Condition, eval.NodeContext(cfg.Ctx, n, nil)); !diags.HasErrors() {
		t.Errorf("condition without facts should fail")
	}
	if _, diags := eval.EvalBool(cfg.Steps[0].Args["command"], ctx); !diags.HasErrors() {
		t.Errorf("a string is not a bool")
	}
	msg, _ := eval.EvalString(cfg.Guards[0].Message, ctx)
	if msg != "need space on sm-dal" {
		t.Errorf("message = %q", msg)
	}
}

func TestSensitiveValueNotInDiagnostics(t *testing.T) {
	src := minimal + `
variable "pin" {
  type      = string
  sensitive = true
}
locals { n = tonumber(var.pin) }
`
	diags := loadErr(t, src, eval.LoadOptions{Vars: []string{"pin=abc123xyz"}})
	for _, d := range diags {
		if strings.Contains(d.Summary+d.Detail, "abc123xyz") {
			t.Errorf("secret in diagnostic: %s: %s", d.Summary, d.Detail)
		}
	}
	diags = loadErr(t, minimal, eval.LoadOptions{Vars: []string{"hunter2-typed-alone"}})
	if strings.Contains(diags.Error(), "hunter2") {
		t.Errorf("malformed -var echoed: %v", diags)
	}
}

func TestCoalesceSkipsEmptyStrings(t *testing.T) {
	cfg := load(t, minimal+`locals {
  a = coalesce("", "fallback")
  b = coalesce(null, 3)
}
`, eval.LoadOptions{})
	l := cfg.Ctx.Variables["local"]
	if !l.GetAttr("a").RawEquals(cty.StringVal("fallback")) || !l.GetAttr("b").RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("coalesce: %#v", l)
	}
	diags := loadErr(t, minimal+`locals { c = coalesce("", null) }`, eval.LoadOptions{})
	if !strings.Contains(diags.Error(), "every one is null or an empty string") {
		t.Errorf("coalesce of nothing: %v", diags)
	}
}

// Two nodes at one host and port: the error is at the second and names the
// first's position.
func TestDuplicateNodeAddress(t *testing.T) {
	src := minimal + `
cluster "branch" {
  branch_session_manager "bsm-a" {
    host    = "sm-dal.example.net"
    release = "8.1.3.8"
  }
}
`
	diags := loadErr(t, src, eval.LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Duplicate node address" {
		t.Fatalf("got %v", diags)
	}
	d := diags[0]
	if d.Subject == nil || d.Subject.Start.Line != 12 || !strings.Contains(d.Detail, "main.hcl:5:15") ||
		!strings.Contains(d.Detail, `"sm-dal"`) || !strings.Contains(d.Detail, "sm-dal.example.net:22") {
		t.Errorf("want the error at main.hcl:12 naming sm-dal at main.hcl:5:15: %v %s", d.Subject, d.Detail)
	}
}

// With AllowUnset (validate) a required variable without a value is unknown:
// no error, its validation is not run, evaluation goes on, and the
// attributes that use it (directly or through a local) are listed.
func TestUnsetVariableIsUnknown(t *testing.T) {
	src := `
runbook "r" {
  target    = "10.2.0.1"
  change_id = local.ticket
}
variable "ticket" {
  type = string
  validation {
    condition     = can(regex("^CHG", var.ticket))
    error_message = "A change ticket starts with CHG."
  }
}
variable "password" {
  type      = string
  sensitive = true
}
locals {
  ticket = upper(var.ticket)
}
connection "default" {
  password = var.password
}
cluster "core" {
  session_manager "sm-dal" {
    host    = "sm-dal.example.net"
    release = "8.1.3.8"
  }
}
`
	diags := loadErr(t, src, eval.LoadOptions{})
	if len(diags) != 2 || diags[0].Summary != "No value for required variable" {
		t.Fatalf("without AllowUnset: %v", diags)
	}
	cfg := load(t, src, eval.LoadOptions{AllowUnset: true})
	if v := cfg.Variables["ticket"].Value; v.IsKnown() {
		t.Errorf("var.ticket = %v, want unknown", v)
	}
	if cfg.Runbook.ChangeID != "" || cfg.Connections["default"].Password != "" {
		t.Errorf("unknown values were used: %q %q", cfg.Runbook.ChangeID, cfg.Connections["default"].Password)
	}
	got := map[string]string{}
	for _, u := range cfg.Unknown {
		got[u.Block] = strings.Join(u.Vars, ",")
	}
	if len(cfg.Unknown) != 2 || got["runbook"] != "ticket" || got["connection"] != "password" {
		t.Errorf("unknown attributes: %+v", cfg.Unknown)
	}
	// A value that is given is still validated.
	diags = loadErr(t, src, eval.LoadOptions{AllowUnset: true, Vars: []string{"ticket=INC1"}})
	if len(diags) != 1 || diags[0].Summary != "Invalid value for variable" {
		t.Errorf("given value not validated: %v", diags)
	}
}
