# A BSM-only cluster going to 10.2 while the core SMs it registers with, in
# another cluster, stay on 8.1.
runbook "t" {
  target = "10.2.0.1" # ERROR: bsm.above_core
}

artifact "sm" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/sm.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

cluster "hq" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-b"
    target    = "8.1.3.8"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "8.1.3.8"
    ssp       = 99
    secondary = "sm-a"
    target    = "8.1.3.8"
  }
}

cluster "branches" {
  branch_session_manager "bsm-x" {
    host    = "bsm-x.example.net"
    release = "8.1.3.8"
    ssp     = 99
    core    = ["sm-a", "sm-b"]
  }
}
