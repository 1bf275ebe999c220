package eval

import "github.com/runbook-dev/runbook/modules"

// Target resolves how to reach a node: its host and port, and the settings
// of its connection block ("default" when it names none). Every caller that
// dials a node (apply, plan --refresh, the lab's redirect) goes through here,
// so a manifest cannot make the tool connect anywhere its nodes, connection
// and jump settings don't name.
func (c *Config) Target(n *Node) modules.Target {
	name := n.Connection
	if name == "" {
		name = "default"
	}
	t := modules.Target{Node: n.Name, Host: n.Host, Port: n.Port}
	if conn := c.Connections[name]; conn != nil {
		t.User, t.PrivateKeyFile, t.Password = conn.User, conn.PrivateKeyFile, conn.Password
		t.KnownHostsFile, t.HostKeyCheck, t.Jump, t.Timeout = conn.KnownHostsFile, conn.HostKeyCheck, conn.Jump, conn.Timeout
		if t.Port == 0 {
			t.Port = conn.Port
		}
	}
	if t.Port == 0 {
		t.Port = 22
	}
	return t
}
