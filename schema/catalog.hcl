# Release catalog of runbook: release lines, their latest versions and SSP
# levels, the supported hops between lines, platform support, estimated phase
# durations and the limits the guards enforce. It is data, not code: when the
# vendor publishes a release, edit this file (or pass --catalog FILE).
#
# Sources: Session Manager 10.2 "Upgrade overview and considerations" and the
# System Manager 10.2 upgrade prerequisites (see the project's domain notes).
# Values marked [assume] are not published by the vendor; they are plausible
# placeholders that a site must check against its own support matrix.
#
# Any A.B.C.D release inside a listed line is accepted. A move inside one line
# (a patch hop, e.g. 8.1.2.0 -> 8.1.3.8) is always supported; only moves
# between lines are listed as hop blocks. A hop with requires_latest (or
# min_from) first takes the node to the latest release of its line (a patch
# hop); requires_ssp puts the latest SSP of that release on the node before
# the hop. An intermediate hop always lands on the latest release of a line.

rules {
  cluster_size    = 28     # core SM instances under one System Manager [doc]
  max_lines       = 2      # release lines among the enterprise's core SMs at any moment [doc]
  smgr_ssp_target = "10.2" # SMGR to this line waits for the latest SSP ... [doc]
  smgr_ssp_from   = "8.1"  # ... on every SM/BSM of this line and later [doc]
  uds_split_to    = "10.2" # SMs moving from 7.x/8.x to this line split UDS [doc]
  step_estimate   = "1m"   # default estimate of a user step [assume]
}

# Platforms that stop being supported at some line, with the guard that says so.
# software_only_from: from that line on, a node declared on the platform runs
# the software-only offer there and is accepted.
platform "avp" {
  rule = "platform.avp"
  hint = "AVP is not supported from 10.1: migrate the node to Avaya Solutions Platform 130 (Release 5.1) first, then set platform = \"asp130\"."
}
platform "aws" {
  rule = "platform.aws"
  hint = "AWS is not offered from 10.1: move the node to the software-only offer first, then set platform = \"software_only\"."
  # A node already on 10.1 or later on AWS IaaS runs the software-only offer:
  # it is a documented source of 10.2 and is accepted. [doc]
  software_only_from = "10.1"
}

product "session_manager" {
  line "6.0" {
    latest    = "6.0.2.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.1" {
    latest    = "6.1.3.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.2" {
    latest    = "6.2.4.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.3" {
    latest    = "6.3.22.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "7.0" {
    latest     = "7.0.1.3" # [assume]
    latest_ssp = 12        # [assume]
    platforms  = ["vmware", "kvm", "appliance", "aws"]
  }
  line "7.1" {
    latest     = "7.1.3.8" # [doc]
    latest_ssp = 28        # [assume]
    platforms  = ["vmware", "kvm", "appliance", "avp", "aws"]
  }
  line "8.0" {
    latest     = "8.0.1.2" # [doc]
    latest_ssp = 30        # [assume]
    platforms  = ["vmware", "kvm", "appliance", "avp", "aws", "gcp", "azure", "software_only"]
  }
  line "8.1" {
    latest     = "8.1.3.8" # [doc]
    latest_ssp = 41        # [assume]
    platforms  = ["vmware", "kvm", "appliance", "avp", "asp130", "aws", "gcp", "azure", "software_only"]
  }
  line "10.1" {
    latest     = "10.1.3.0" # [assume] not published
    latest_ssp = 12         # [assume]
    platforms  = ["vmware", "kvm", "appliance", "asp130", "gcp", "azure", "software_only"]
  }
  line "10.2" {
    latest     = "10.2.0.1" # [doc]
    latest_ssp = 3          # [assume]
    platforms  = ["vmware", "kvm", "appliance", "asp130", "gcp", "azure", "software_only"]
  }

  hop "10.1" "10.2" {} # direct [doc]
  hop "8.1" "10.2" {   # from 8.1.3.8 with the latest SSP [doc]
    requires_latest = true
    requires_ssp    = true
  }
  hop "8.0" "10.2" {
    requires_latest = true
    requires_ssp    = true
  }
  hop "7.1" "10.2" {
    requires_latest = true
    requires_ssp    = true
  }
  hop "8.1" "10.1" { # [inf] same preconditions as to 10.2
    requires_latest = true
    requires_ssp    = true
  }
  hop "7.0" "10.1" {} # 7.0.x goes through 10.1.x [doc]
  hop "6.0" "8.1" {}  # 6.x to 8.1.x first, never direct [doc]
  hop "6.1" "8.1" {}  # [doc]
  hop "6.2" "8.1" {}  # [doc]
  hop "6.3" "8.1" {}  # [doc]
  hop "7.1" "8.1" {}  # [assume] lets a cluster merge its lines on 8.1 first
  hop "8.0" "8.1" {}  # [assume]

  estimate {
    precheck = "5m"
    backup   = "15m"
    upload   = "10m"
    drain    = "10m"
    ssp      = "25m"
    upgrade  = "60m"
    migrate  = "90m"
    restore  = "30m"
    verify   = "10m"
    undrain  = "2m"
  }
}

product "system_manager" {
  line "6.0" {
    latest    = "6.0.2.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.1" {
    latest    = "6.1.3.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.2" {
    latest    = "6.2.4.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "6.3" {
    latest    = "6.3.22.0" # [assume]
    platforms = ["vmware", "appliance"]
  }
  line "7.0" {
    latest    = "7.0.1.3" # [assume]
    platforms = ["vmware", "kvm", "appliance", "aws"]
  }
  line "7.1" {
    latest    = "7.1.3.8" # [assume]
    platforms = ["vmware", "kvm", "appliance", "avp", "aws"]
  }
  line "8.0" {
    latest    = "8.0.1.2" # [assume]
    platforms = ["vmware", "kvm", "appliance", "avp", "aws", "gcp", "azure", "software_only"]
  }
  line "8.1" {
    latest    = "8.1.3.8" # [assume]
    platforms = ["vmware", "kvm", "appliance", "avp", "asp130", "aws", "gcp", "azure", "software_only"]
  }
  line "10.1" {
    latest    = "10.1.3.0" # [assume]
    platforms = ["vmware", "kvm", "appliance", "asp130", "gcp", "azure", "software_only"]
  }
  line "10.2" {
    latest    = "10.2.0.1" # [doc]
    platforms = ["vmware", "kvm", "appliance", "asp130", "gcp", "azure", "software_only"]
  }

  hop "10.1" "10.2" {} # direct [doc]
  hop "8.1" "10.2" {}  # direct [doc]
  hop "8.0" "10.2" {}  # direct [doc]
  hop "7.1" "10.2" {   # direct from 7.1.3.x [doc]
    min_from = "7.1.3.0"
  }
  hop "8.1" "10.1" {} # [assume]
  hop "7.0" "10.1" {} # 7.0.x goes through 10.1.x [doc]
  hop "6.0" "8.1" {}  # [assume]
  hop "6.1" "8.1" {}  # [assume]
  hop "6.2" "8.1" {}  # [assume]
  hop "6.3" "8.1" {}  # [assume]

  estimate {
    precheck = "10m"
    backup   = "30m"
    upload   = "15m"
    drain    = "1m"
    ssp      = "30m"
    upgrade  = "120m"
    migrate  = "150m"
    restore  = "45m"
    verify   = "15m"
    undrain  = "1m"
    # [assume] a geo-redundant pair's replication: disabling is quick,
    # re-enabling resynchronises the pair's data.
    replication_off = "5m"
    replication_on  = "20m"
  }
}

# Port matrix between Session Managers and System Manager, checked by the
# firewall.ports runtime guard. [assume] values follow the vendor's published
# port matrix in spirit; check them against your release's matrix.
firewall {
  port {
    from     = "session_manager"
    to       = "system_manager"
    port     = 443
    protocol = "tcp"
    purpose  = "HTTPS: enrollment, web services, configuration"
  }
  port {
    from     = "session_manager"
    to       = "system_manager"
    port     = 61617
    protocol = "tcp"
    purpose  = "JMS over TLS: data replication service"
  }
  port {
    from     = "system_manager"
    to       = "session_manager"
    port     = 22
    protocol = "tcp"
    purpose  = "SSH: administration and upgrade management"
  }
  port {
    from     = "system_manager"
    to       = "session_manager"
    port     = 443
    protocol = "tcp"
    purpose  = "HTTPS: element management"
  }
  port {
    from     = "session_manager"
    to       = "session_manager"
    port     = 9042
    protocol = "tcp"
    purpose  = "Cassandra: User Data Storage replication"
  }
}
