# A mixed fleet: an 8.1 headquarters cluster with a branch, a plant cluster
# with one SM still on 7.0 and one on 8.1, and System Manager on 8.1 — all to
# 10.2.0.1.
#
# What the planner inserts, and the guards say so as warnings:
# - sm-hq-2 is on 8.1.2.0: a patch hop to 8.1.3.8 first (source.not_latest),
#   then the latest SSP (ssp.required), then 8.1.3.8 -> 10.2.0.1.
# - the 8.1.3.8 nodes lack the latest SSP: an SSP pass before System Manager
#   goes to 10.2 (rule 1) and before the cross-line hop.
# - sm-plant-1 is on 7.0.x: 7.0 -> 10.1 -> 10.2 (path.multi_hop, the path
#   rule). Release lines are counted across the whole enterprise (every core
#   SM under one System Manager, whatever its cluster), so it goes first and
#   alone: while it passes 10.1, every other core SM stays on 8.1. A second
#   7.0 SM anywhere in the enterprise would make that impossible
#   (cluster.releases).
# - SMs move from 8.1 to 10.2 in hq and in the plant: User Data Storage, one
#   ring across the enterprise, shows failed until all are done
#   (cluster.uds_split): finish them in one window.
# - bsm-austin registers with sm-hq-1 and sm-plant-2 (core): it goes to
#   10.2 only after both are there, and never while one is out of service.
# - parallel = 2: up to two core SMs out of service at once, never a node
#   with its secondary (policy.parallel says it is against the vendor's
#   advice).

runbook "fleet-to-10-2" {
  change_id   = "CHG0040112"
  description = "HQ, branch and plant Session Managers and System Manager to 10.2.0.1"
  target      = "10.2.0.1"

  policy {
    drain_timeout   = "20m"
    parallel        = 2
    method          = "backup_restore"
    branch_parallel = 1
  }
}

variable "ssh_password" {
  type        = string
  description = "Password of the cust account, when no key is installed"
  sensitive   = true
  default     = null
}

locals {
  domain = "example.net"
}

connection "default" {
  user             = "cust"
  password         = var.ssh_password
  known_hosts_file = "~/.ssh/known_hosts"
}

artifact "sm-10-2-0-1" {
  kind    = "release"
  product = "session_manager"
  release = "10.2.0.1"
  file    = "media/Session_Manager_10.2.0.1.0.bin"
}

artifact "sm-10-1-3-0" {
  kind    = "release"
  product = "session_manager"
  release = "10.1.3.0"
  file    = "media/Session_Manager_10.1.3.0.0.bin"
}

artifact "sm-8-1-3-8" {
  kind    = "release"
  product = "session_manager"
  release = "8.1.3.8"
  file    = "media/Session_Manager_8.1.3.8.0.bin"
}

artifact "sm-8-1-3-8-ssp" {
  kind    = "ssp"
  product = "session_manager"
  release = "8.1.3.8"
  ssp     = 41
  file    = "media/SM_8.1.3.8_SSP41.tar"
}

artifact "smgr-10-2-0-1" {
  kind    = "release"
  product = "system_manager"
  release = "10.2.0.1"
  file    = "media/System_Manager_10.2.0.1.0.bin"
}

system_manager "smgr" {
  host     = "smgr.${local.domain}"
  release  = "8.1.3.8"
  platform = "vmware"
}

cluster "hq" {
  session_manager "sm-hq-1" {
    host      = "sm-hq-1.${local.domain}"
    release   = "8.1.3.8"
    ssp       = 38
    platform  = "vmware"
    secondary = "sm-hq-2"
  }

  session_manager "sm-hq-2" {
    host      = "sm-hq-2.${local.domain}"
    release   = "8.1.2.0"
    platform  = "kvm"
    secondary = "sm-hq-1"
  }

  branch_session_manager "bsm-austin" {
    host     = "bsm-austin.${local.domain}"
    release  = "8.1.3.8"
    ssp      = 38
    platform = "kvm"
    core     = ["sm-hq-1", "sm-plant-2"] # the core SMs it registers with, any cluster
  }
}

cluster "plant" {
  session_manager "sm-plant-1" {
    host      = "sm-plant-1.${local.domain}"
    release   = "7.0.1.2"
    platform  = "vmware"
    secondary = "sm-plant-2"
  }

  session_manager "sm-plant-2" {
    host      = "sm-plant-2.${local.domain}"
    release   = "8.1.3.8"
    ssp       = 41
    platform  = "vmware"
    secondary = "sm-plant-1"
  }
}
