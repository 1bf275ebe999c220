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

artifact "ssp-8-1" {
  kind    = "ssp"
  release = "8.1.3.8"
  file    = "media/ssp-8.1.3.8.bin"
  sha256  = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
}

cluster "core" {
  session_manager "sm-a" { # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "8.1.3.8"
    ssp     = 30 # WARNING: ssp.required
  }
}
