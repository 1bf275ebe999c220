# Two system_manager blocks are a geo-redundant pair: one geo = "primary",
# one geo = "secondary". Two primaries are refused.
runbook "t" {
  target = "10.2.0.1"
}

system_manager "smgr-a" {
  host    = "smgr-a.example.net"
  release = "10.2.0.1"
  geo     = "primary"
}

system_manager "smgr-b" {
  host    = "smgr-b.example.net"
  release = "10.2.0.1"
  geo     = "primary" # ERROR: smgr.geo
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
