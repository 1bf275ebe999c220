runbook "t" {
  target = "10.2.0.1"
}

artifact "sm" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

system_manager "smgr" {
  host    = "smgr.example.net"
  release = "10.1.3.0"
  target  = "10.1.3.0" # ERROR: order.smgr_first
}

cluster "core" {
  session_manager "sm-a" { # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.3.0"
    ssp     = 99
  }
}
