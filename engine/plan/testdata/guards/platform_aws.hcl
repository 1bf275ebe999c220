# The AWS offer below 10.1 cannot reach 10.1+; a 10.1 node on AWS IaaS runs
# the software-only offer and is a documented source of 10.2.
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
    release   = "8.1.3.8"
    ssp       = 99
    platform  = "aws" # ERROR: platform.aws
    secondary = "sm-b"
  }
  session_manager "sm-b" {
    host      = "sm-b.example.net"
    release   = "10.1.3.0"
    ssp       = 99
    platform  = "aws"
    secondary = "sm-a"
  }
}
