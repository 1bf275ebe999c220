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

cluster "big" {
  session_manager "sm-01" {
    host    = "sm-01.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-02" {
    host    = "sm-02.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-03" {
    host    = "sm-03.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-04" {
    host    = "sm-04.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-05" {
    host    = "sm-05.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-06" {
    host    = "sm-06.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-07" {
    host    = "sm-07.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-08" {
    host    = "sm-08.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-09" {
    host    = "sm-09.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-10" {
    host    = "sm-10.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-11" {
    host    = "sm-11.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-12" {
    host    = "sm-12.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-13" {
    host    = "sm-13.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-14" {
    host    = "sm-14.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-15" {
    host    = "sm-15.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-16" {
    host    = "sm-16.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-17" {
    host    = "sm-17.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-18" {
    host    = "sm-18.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-19" {
    host    = "sm-19.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-20" {
    host    = "sm-20.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-21" {
    host    = "sm-21.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-22" {
    host    = "sm-22.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-23" {
    host    = "sm-23.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-24" {
    host    = "sm-24.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-25" {
    host    = "sm-25.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-26" {
    host    = "sm-26.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-27" {
    host    = "sm-27.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-28" {
    host    = "sm-28.example.net"
    release = "10.2.0.1"
  }
  session_manager "sm-29" { # ERROR: cluster.size
    host    = "sm-29.example.net"
    release = "10.2.0.1"
  }
}
