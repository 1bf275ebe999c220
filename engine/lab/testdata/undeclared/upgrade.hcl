# No SSP level declared and no artifact block at all: the plan inserts SSP
# passes and needs media that only the lab can provide.
runbook "undeclared" {
  change_id = "CHG0000001"
  target    = "10.2.0.1"
}

connection "default" {
  user = "cust"
}

system_manager "smgr" {
  host    = "smgr.example.net"
  release = "10.1.3.0"
}

cluster "core" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "10.1.3.0"
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.1.3.0"
    secondary = "sm-a"
  }
}
