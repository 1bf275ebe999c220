# Two sites: each alone would hold two lines, but the enterprise's core SMs
# (one data replication ring) would run 7.0, 10.1 and 10.2 at once.
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

artifact "sm-10-1" {
  kind    = "release"
  release = "10.1.3.0"
  file    = "media/sm-10.1.bin"
  sha256  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
}

cluster "east" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "7.0.1.3" # ERROR: cluster.releases # WARNING: path.multi_hop
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "7.0.1.3" # WARNING: path.multi_hop
    secondary = "sm-a"
  }
}

cluster "west" {
  session_manager "sm-c" {
    host    = "sm-c.example.net"
    release = "10.2.0.1"
  }
}
