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
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "10.2.0.1"
    secondary = "sm-a" # ERROR: cluster.secondary
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.2.0.1"
    secondary = "sm-zz" # ERROR: cluster.secondary
  }
  branch_session_manager "bsm-c" {
    host    = "bsm-c.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-d" {
    host      = "sm-d.example.net"
    release   = "10.2.0.1"
    secondary = "bsm-c" # ERROR: cluster.secondary
  }
}
