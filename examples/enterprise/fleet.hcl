system_manager "smgr" {
  host     = "smgr.example.net"
  release  = "10.1.3.0"
  platform = "vmware"
}

cluster "americas" {
  session_manager "sm-dal" {
    host      = "sm-dal.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "vmware"
    secondary = "sm-atl"
  }
  session_manager "sm-atl" {
    host      = "sm-atl.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "vmware"
    secondary = "sm-dal"
  }
  branch_session_manager "bsm-austin" {
    host     = "bsm-austin.example.net"
    release  = "10.1.3.0"
    ssp      = 12
    platform = "kvm"
  }
  branch_session_manager "bsm-denver" {
    host     = "bsm-denver.example.net"
    release  = "10.1.3.0"
    ssp      = 12
    platform = "kvm"
  }
}

cluster "emea" {
  session_manager "sm-lon" {
    host       = "sm-lon.example.net"
    release    = "10.1.3.0"
    ssp        = 12
    platform   = "kvm"
    secondary  = "sm-fra"
    connection = "emea"
  }
  session_manager "sm-fra" {
    host       = "sm-fra.example.net"
    release    = "10.1.3.0"
    ssp        = 12
    platform   = "kvm"
    secondary  = "sm-lon"
    connection = "emea"
  }
  branch_session_manager "bsm-madrid" {
    host       = "bsm-madrid.example.net"
    release    = "10.1.3.0"
    ssp        = 12
    platform   = "kvm"
    connection = "emea"
  }
}

cluster "apac" {
  session_manager "sm-sin" {
    host      = "sm-sin.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "gcp"
    secondary = "sm-syd"
  }
  session_manager "sm-syd" {
    host      = "sm-syd.example.net"
    release   = "10.1.3.0"
    ssp       = 12
    platform  = "gcp"
    secondary = "sm-sin"
  }
}
