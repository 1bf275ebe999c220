runbook "t" {
  target = "10.2.0.1"
  policy {
    multi_hop = false
  }
}

artifact "sm" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

artifact "sm-10-1" {
  kind    = "release"
  release = "10.1.3.0"
  file    = "media/sm-10.1.bin"
  sha256  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
}

cluster "core" {
  session_manager "sm-a" { # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "7.0.1.3" # ERROR: path.multi_hop
    ssp     = 99
  }
}
