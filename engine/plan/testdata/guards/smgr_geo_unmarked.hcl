# Two system_manager blocks without geo are not a pair.
runbook "t" {
  target = "10.2.0.1"
}

system_manager "smgr-a" { # ERROR: smgr.geo
  host    = "smgr-a.example.net"
  release = "10.2.0.1"
}

system_manager "smgr-b" {
  host    = "smgr-b.example.net"
  release = "10.2.0.1"
}

cluster "core" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "10.2.0.1"
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.2.0.1"
    secondary = "sm-a"
  }
}
