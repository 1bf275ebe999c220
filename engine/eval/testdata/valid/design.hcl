runbook "core-to-10-2" {
  change_id   = "CHG0031337"
  description = "Core SM cluster and branches to 10.2.0.1"
  target      = "10.2.0.1"

  window {
    start = "2026-12-05T01:00:00Z"
    end   = "2026-12-05T05:00:00Z"
  }

  policy {
    max_active_calls = 0
    drain_timeout    = "30m"
    parallel         = 4
    on_failure       = "halt"
    multi_hop        = true
    method           = "backup_restore"
    branch_parallel  = 1
    durations        = { backup = "5m", upgrade = "45m" }
  }
}

variable "ssh_password" {
  type      = string
  sensitive = true
  default   = null
}

locals { site = "dal" }

connection "default" {
  user             = "cust"
  port             = 22
  private_key_file = "~/.ssh/id_ed25519"
  password         = var.ssh_password
  known_hosts_file = "~/.ssh/known_hosts"
  host_key_check   = "strict"
  jump             = "ops@bastion.example.net:22"
  timeout          = "15s"
}

artifact "sm-10-2-0-1" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/Session_Manager_10.2.0.1.0.bin"
  sha256  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}

backup {
  store = "backups"
}

system_manager "smgr" {
  host    = "smgr.example.net"
  release = "10.1.3.0"
  target  = "10.2.0.1"
}

cluster "core" {
  session_manager "sm-dal" {
    host      = "sm-${local.site}.example.net"
    release   = "8.1.3.8"
    ssp       = 41
    platform  = "vmware"
    secondary = "sm-chi"
  }
  session_manager "sm-chi" {
    host      = "sm-chi.example.net"
    release   = "8.1.3.8"
    platform  = "vmware"
    secondary = "sm-dal"
  }
  branch_session_manager "bsm-austin" {
    host     = "bsm-austin.example.net"
    release  = "8.1.3.8"
    platform = "kvm"
  }
}

step "notify-noc" {
  module  = "shell"
  nodes   = ["*"]
  before  = "drain"
  command = "logger -t runbook 'draining ${node.name}'"
}

guard "var-space" {
  phase     = "upgrade"
  condition = facts.disk_free_mb["/var"] > 4096
  message   = "need 4 GiB free in /var on ${node.name}"
}

lab {
  node "sm-chi" {
    active_calls = 12
    users        = 2000
    fail         = "backup"
    disconnect   = "upgrade"
    disk_free_mb = 100
    clock_skew   = "5m"
  }
}
