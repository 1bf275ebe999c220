# A multi-cluster enterprise on 10.1.x: three regional clusters with their
# branches and System Manager, to 10.2.0.1 inside one twelve-hour window.
#
# parallel = 3: up to three core SMs of the enterprise out of service at once,
# never a node with its secondary (policy.parallel warns: the vendor upgrades
# one at a time; with parallel = 1 the change needs a longer window); each
# cluster's branches follow its core SMs, two at a time. The manifest is
# split across files: this one, variables.hcl, fleet.hcl and steps.hcl.

runbook "enterprise-10-2" {
  change_id   = var.change_id
  description = "All regions to Session Manager 10.2.0.1"
  target      = "10.2.0.1"

  window {
    start = "2026-12-11T22:00:00Z"
    end   = "2026-12-12T10:00:00Z"
  }

  policy {
    max_active_calls = 0
    drain_timeout    = "45m"
    parallel         = 3
    on_failure       = "halt"
    branch_parallel  = 2
  }
}

connection "default" {
  user             = "cust"
  private_key_file = "~/.ssh/runbook_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
  jump             = "ops@bastion.example.net:22"
  timeout          = "20s"
}

connection "emea" {
  user             = "cust"
  port             = 2222
  private_key_file = "~/.ssh/runbook_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
  jump             = "ops@bastion-emea.example.net:22"
}

backup {
  store = "backups/${var.change_id}"
}

artifact "sm-10-2-0-1" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/Session_Manager_10.2.0.1.0.bin"
}

artifact "smgr-10-2-0-1" {
  kind    = "release"
  product = "system_manager"
  release = "10.2.0.1"
  file    = "media/System_Manager_10.2.0.1.0.bin"
}
