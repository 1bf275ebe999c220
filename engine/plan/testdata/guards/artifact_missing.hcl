runbook "t" {
  target = "10.2.0.1"
}

cluster "core" {
  session_manager "sm-a" { # WARNING: artifact.missing # WARNING: cluster.no_secondary
    host    = "sm-a.example.net"
    release = "10.1.3.0"
  }
}
