# The members of a geo-redundant pair end on the same release.
runbook "t" {
  target = "10.1.3.0"
}

system_manager "smgr-a" {
  host    = "smgr-a.example.net"
  release = "10.1.3.0"
  target  = "10.1.3.0"
  geo     = "primary"
}

system_manager "smgr-b" {
  host    = "smgr-b.example.net"
  release = "10.1.3.0"
  target  = "10.2.0.1" # ERROR: smgr.geo
  geo     = "secondary"
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
}
