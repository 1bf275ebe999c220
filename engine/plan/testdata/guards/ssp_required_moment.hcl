# SMGR and SMs on 7.0 going to 10.2: the BSM's patch to 8.1.3.8 waits for
# its core SMs to reach 8.1 or later, and its SSP pass comes before SMGR's
# change to 10.2, so the SMs are on 10.1 when SMGR changes: rule 1 reads
# that release and gives each a 10.1 SSP pass.
runbook "t" {
  target = "10.2.0.1" # WARNING: cluster.uds_split
}

artifact "r-10-1" {
  kind    = "release"
  release = "10.1.3.0"
  file    = "media/r-10.1.3.0.bin"
  sha256  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
}

artifact "r-10-2" {
  kind    = "release"
  release = "10.2.0.1"
  file    = "media/r-10.2.0.1.bin"
  sha256  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
}

artifact "r-8-1" {
  kind    = "release"
  release = "8.1.3.8"
  file    = "media/r-8.1.3.8.bin"
  sha256  = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
}

artifact "ssp-10-1" {
  kind    = "ssp"
  release = "10.1.3.0"
  file    = "media/ssp-10.1.3.0.bin"
  sha256  = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
}

artifact "ssp-8-1" {
  kind    = "ssp"
  release = "8.1.3.8"
  file    = "media/ssp-8.1.3.8.bin"
  sha256  = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
}

system_manager "smgr" {
  host    = "smgr.example.net"
  release = "7.0.1.0" # WARNING: path.multi_hop
}

cluster "core" {
  session_manager "sm-a" { # WARNING: ssp.required: sm-a: latest SSP 12 on 10.1.3.0
    host      = "sm-a.example.net"
    release   = "7.0.1.3" # WARNING: path.multi_hop
    secondary = "sm-b"
  }
  session_manager "sm-b" { # WARNING: ssp.required: sm-b: latest SSP 12 on 10.1.3.0
    host      = "sm-b.example.net"
    release   = "7.0.1.3" # WARNING: path.multi_hop
    secondary = "sm-a"
  }
  branch_session_manager "bsm-a" { # WARNING: ssp.required: bsm-a: latest SSP 41 on 8.1.3.8
    host    = "bsm-a.example.net"
    release = "8.1.2.0" # WARNING: source.not_latest
  }
}
