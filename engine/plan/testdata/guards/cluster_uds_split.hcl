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

cluster "core" { # WARNING: cluster.uds_split
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-a"
  }
}
