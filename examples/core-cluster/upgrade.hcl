# A two-SM core cluster and its System Manager, from 10.1.x to 10.2.0.1.
#
# 10.1.x -> 10.2.x is a direct hop, so each node takes one hop. System Manager
# goes first (order.smgr_first), then the SMs one at a time: each is drained
# (Deny New Service) only while its secondary is in service.

runbook "core-to-10-2" {
  change_id   = "CHG0031337"
  description = "Dallas/Chicago core SM pair and System Manager to 10.2.0.1"
  target      = "10.2.0.1"

  window {
    start = "2026-12-04T22:00:00Z"
    end   = "2026-12-05T08:00:00Z"
  }

  policy {
    max_active_calls = 0
    drain_timeout    = "30m"
    on_failure       = "rollback"
  }
}

connection "default" {
  user             = "cust"
  private_key_file = "~/.ssh/id_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
  host_key_check   = "strict"
  timeout          = "15s"
}

backup {
  store = "backups"
}

# Media the plan uploads, checked (sha256) before anything changes. Put the
# vendor's published checksum in sha256 when the file is in media/.
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

# on_failure = "rollback" reinstalls a failed node's source release before
# it restores the node's pre-upgrade backup (a backup is only ever restored
# onto the release it was taken on), so the media of the releases the nodes
# run now are part of the change (rollback.media).
artifact "sm-10-1-3-0" {
  kind    = "release"
  product = "session_manager"
  release = "10.1.3.0"
  file    = "media/Session_Manager_10.1.3.0.0.bin"
}

artifact "smgr-10-1-3-0" {
  kind    = "release"
  product = "system_manager"
  release = "10.1.3.0"
  file    = "media/System_Manager_10.1.3.0.0.bin"
}

system_manager "smgr" {
  host     = "smgr.example.net"
  release  = "10.1.3.0"
  platform = "vmware"
}

cluster "core" {
  session_manager "sm-dal" {
    host      = "sm-dal.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "vmware"
    secondary = "sm-chi"
  }

  session_manager "sm-chi" {
    host      = "sm-chi.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "vmware"
    secondary = "sm-dal"
  }
}
