# A geo-redundant System Manager pair and two core SMs, from 10.1.3.0 to
# 10.2.0.1: the primary, then the secondary, with replication disabled before
# the primary's upgrade and re-enabled after the secondary's verify; the SMs
# after both.
runbook "geo-pair" {
  change_id = "CHG0000002"
  target    = "10.2.0.1"
}

connection "default" {
  user = "cust"
}

system_manager "smgr-dal" {
  host    = "smgr-dal.example.net"
  release = "10.1.3.0"
  ssp     = 12
  geo     = "primary"
}

system_manager "smgr-chi" {
  host    = "smgr-chi.example.net"
  release = "10.1.3.0"
  ssp     = 12
  geo     = "secondary"
}

cluster "core" {
  session_manager "sm-a" {
    host      = "sm-a.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    secondary = "sm-a"
  }
}
