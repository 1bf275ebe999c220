# Tell the NOC before each node is drained, and refuse to upgrade a node whose
# /var cannot hold the media and the backup.

step "notify-noc" {
  module  = "shell"
  nodes   = ["sm-*", "bsm-*"]
  before  = "drain"
  command = "logger -t ${var.noc_tag} ${format("draining %s for %s", node.name, node.target)}"
}

guard "var-space" {
  phase     = "upgrade"
  condition = facts.disk_free_mb["/var"] > 4096
  message   = "need 4 GiB free in /var on ${node.name}"
}
