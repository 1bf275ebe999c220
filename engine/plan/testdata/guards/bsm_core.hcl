# core names at most two core SMs of the manifest.
runbook "t" {
  target = "10.2.0.1"
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
  session_manager "sm-c" {
    host      = "sm-c.example.net"
    release   = "10.2.0.1"
    secondary = "sm-a"
  }
  branch_session_manager "bsm-x" {
    host    = "bsm-x.example.net"
    release = "10.2.0.1"
    core    = ["sm-a", "sm-zz"] # ERROR: bsm.core
  }
  branch_session_manager "bsm-y" {
    host    = "bsm-y.example.net"
    release = "10.2.0.1"
    core    = ["sm-a", "bsm-x"] # ERROR: bsm.core
  }
  branch_session_manager "bsm-z" {
    host    = "bsm-z.example.net"
    release = "10.2.0.1"
    core    = ["sm-a", "sm-b", "sm-c"] # ERROR: bsm.core
  }
}
