# Two sites, one on 8.1.3.8 and one on 10.1.3.0, going to 10.2 with
# parallel = 2: one 8.1 SM goes through 10.1 (the line rule, said in the
# path.multi_hop detail) so that the last one can go straight to 10.2, at most two core SMs of the enterprise are out of
# service at once, and never a node with its secondary.
runbook "t" {
  target = "10.2.0.1" # WARNING: cluster.uds_split
  policy {
    parallel = 2 # WARNING: policy.parallel
  }
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
  product = "session_manager"
  release = "10.1.3.0"
  file    = "media/sm-10.1.bin"
  sha256  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
}

cluster "old" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "8.1.3.8" # WARNING: path.multi_hop
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

cluster "new" {
  session_manager "sm-c" {
    host      = "sm-c.example.net"
    release   = "10.1.3.0"
    ssp       = 99
    secondary = "sm-d"
  }
  session_manager "sm-d" {
    host      = "sm-d.example.net"
    release   = "10.1.3.0"
    ssp       = 99
    secondary = "sm-c"
  }
}
