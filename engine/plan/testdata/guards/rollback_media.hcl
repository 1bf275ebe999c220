runbook "t" {
  target = "10.2.0.1"
  policy {
    on_failure = "rollback"
  }
}

artifact "sm" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

cluster "core" {
  session_manager "sm-a" { # ERROR: rollback.media # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.3.0"
    ssp     = 99
  }
}
