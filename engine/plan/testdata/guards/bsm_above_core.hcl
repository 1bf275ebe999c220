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

cluster "core" {
  session_manager "sm-a" { # WARNING: artifact.missing # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.0.0"
    target  = "10.1.3.0"
  }
  branch_session_manager "bsm-b" {
    host    = "bsm-b.example.net"
    release = "10.1.0.0"
    target  = "10.2.0.1" # ERROR: bsm.above_core
  }
}
