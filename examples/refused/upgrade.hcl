# This plan must be refused. The guards say why:
# - platform.avp: sm-old-1 runs on AVP, which 10.1 and later do not support;
#   it must be migrated to Avaya Solutions Platform 130 (R5.1) first.
# - path.multi_hop: bsm-kiosk is on 6.3, which reaches 10.1 only through 8.1,
#   and this runbook forbids intermediate hops (multi_hop = false makes the
#   warning an error).
# - bsm.above_core: bsm-lobby's target is above its core SMs' target.

runbook "refused" {
  change_id = "CHG0099999"
  target    = "10.1.3.0"

  policy {
    multi_hop = false
  }
}

system_manager "smgr" {
  host    = "smgr.example.net"
  release = "10.2.0.1"
}

cluster "legacy" {
  session_manager "sm-old-1" {
    host      = "sm-old-1.example.net"
    release   = "8.1.3.8"
    ssp       = 41
    platform  = "avp"
    secondary = "sm-old-2"
  }

  session_manager "sm-old-2" {
    host      = "sm-old-2.example.net"
    release   = "8.1.3.8"
    ssp       = 41
    platform  = "vmware"
    secondary = "sm-old-1"
  }

  branch_session_manager "bsm-kiosk" {
    host     = "bsm-kiosk.example.net"
    release  = "6.3.18.0"
    platform = "vmware"
  }

  branch_session_manager "bsm-lobby" {
    host     = "bsm-lobby.example.net"
    release  = "10.1.3.0"
    ssp      = 12
    platform = "kvm"
    target   = "10.2.0.1"
  }
}
