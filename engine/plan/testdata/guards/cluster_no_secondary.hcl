# A single SM with no secondary, and calls allowed to stay up: its phones
# lose service while it is drained and those calls are exposed.
runbook "t" {
  target = "10.2.0.1"
  policy {
    max_active_calls = 5 # WARNING: calls.policy
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
  session_manager "sm-a" { # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.3.0"
    ssp     = 99
  }
}
