package exec

// Node names the node behind the connection a gather function is given, so
// that an offline dry-run — no connection at all — can answer with the
// node's declared facts.
func (o *observed) Node() string { return o.node }
