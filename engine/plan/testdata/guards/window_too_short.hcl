runbook "t" {
  target = "10.2.0.1"
  window { # ERROR: window.too_short
    start = "2026-12-05T01:00:00Z"
    end   = "2026-12-05T01:30:00Z"
  }
}

artifact "sm" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

cluster "core" {
  session_manager "sm-a" { # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.3.0"
  }
}
