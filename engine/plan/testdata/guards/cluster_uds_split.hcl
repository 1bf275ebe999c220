# One 8.1 SM moving to 10.2 in each of two clusters: User Data Storage is one
# ring across the enterprise, so it shows failed until both are done. Each
# names the other, in the other cluster, as its secondary.
runbook "t" {
  target = "10.2.0.1" # WARNING: cluster.uds_split
}

artifact "sm" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

cluster "dallas" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-b"
  }
}

cluster "chicago" {
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-a"
  }
}
