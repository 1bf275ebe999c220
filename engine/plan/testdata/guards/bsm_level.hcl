# Core SMs to 10.2 with a BSM pinned on 8.1: the vendor brings a branch to
# its core SM's level.
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
    release   = "10.1.3.0"
    ssp       = 99
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.1.3.0"
    ssp       = 99
    secondary = "sm-a"
  }
  branch_session_manager "bsm-x" {
    host    = "bsm-x.example.net"
    release = "8.1.3.8"
    ssp     = 99
    target  = "8.1.3.8" # WARNING: bsm.level
  }
}
