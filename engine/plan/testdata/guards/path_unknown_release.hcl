# A target newer than the catalog's latest of its line, and a declared
# release beyond the catalog: both need a newer catalog (--catalog).
runbook "t" {
  target = "10.2.9.9" # ERROR: path.unknown_release
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
    release   = "8.1.4.0" # ERROR: path.unknown_release
    ssp       = 99
    secondary = "sm-a"
    target    = "10.2.0.1"
  }
}
