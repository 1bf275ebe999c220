# Command profile: which command each Session Manager action runs on a node,
# and how its output is read. Data, not code: a site whose node CLI differs
# overrides an action here (or in a manifest's profile block) without a
# change to the tool.
#
#   kind "KIND" {                 session_manager | branch_session_manager | system_manager
#     extends = "OTHER"          optional: take every action not defined here from OTHER
#     action "NAME" {
#       command   = "..."        Go text/template; every {{.arg}} is POSIX-quoted before
#                                 substitution, so a value can never become shell syntax
#       read_only = true         reads without changing the node (runs under dry-run)
#       parse     = "regex"      none | regex | regex_map | lines_kv | df
#       regex     = "..."        regex: group 1 is the value; regex_map: groups 1, 2 are key, value
#       key       = "..."        lines_kv: the key whose value is the result
#       lower     = true         lower-case parsed values
#       map       = { A = "a" }  translate the parsed value
#       stdin     = "..."        fed to the command (answers to prompts)
#       timeout   = "30m"        bound on the command. Every action has one: a command
#                                 that outlives it is stopped; a node-changing action
#                                 (installer, restore, migration) then fails the step
#       separate  = true         a fact action (release ... data_digest) run in its own
#                                 session. By default a gather runs all fact actions in
#                                 one session, as one script: each command on its own
#                                 line, then a printf of a per-read marker with its exit
#                                 status; its output is the text before the marker. Set
#                                 it for a command that cannot share a script (reads
#                                 stdin, exits the shell). An action with stdin is always
#                                 separate.
#     }
#     action "NAME" { command = "" }   the kind has no such action (disables an inherited one)
#   }
#
# Merge rule for overrides: an action given for the same kind and action name
# replaces the default one whole, except that an override without a timeout
# keeps the default action's timeout; other actions and kinds stay.

kind "session_manager" {
  # --- facts (read-only) ---
  action "release" {
    # swversion is a shell alias: it only exists in a login shell.
    command   = "bash -lc swversion"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Release:\\s*([0-9][0-9.]*)\\s*$"
    timeout   = "2m"
  }
  action "ssp" {
    command   = "cat /opt/Avaya/install.properties"
    read_only = true
    parse     = "lines_kv"
    key       = "SSP"
    timeout   = "2m"
  }
  action "service_state" {
    command   = "smcli service-state"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Service State:\\s*(Accept|Deny) New Service"
    map       = { Accept = "accepting", Deny = "denying" }
    timeout   = "2m"
  }
  action "active_calls" {
    command   = "smcli active-calls"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Active Calls:\\s*([0-9]+)"
    timeout   = "2m"
  }
  action "services" {
    command   = "statapp -s"
    read_only = true
    parse     = "regex_map"
    regex     = "(?m)^(\\S+)\\s+[0-9]+/[0-9]+\\s+(UP|DOWN)\\s*$"
    lower     = true
    timeout   = "2m"
  }
  action "disk" {
    command   = "df -Pm /var /opt /swlibrary"
    read_only = true
    parse     = "df"
    timeout   = "2m"
  }
  action "clock" {
    command   = "date -u +%Y-%m-%dT%H:%M:%SZ"
    read_only = true
    parse     = "regex"
    regex     = "([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z)"
    timeout   = "2m"
  }
  action "uds_backup" {
    command   = "smcli uds-backup"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^UDS Backup:\\s*(\\S+)"
    timeout   = "2m"
  }
  action "users" {
    command   = "smcli users"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Users:\\s*([0-9]+)"
    timeout   = "2m"
  }
  action "data_digest" {
    command   = "smcli data-digest"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Data Digest:\\s*([0-9a-f]{64})"
    timeout   = "10m"
  }
  action "precheck" {
    command   = "smcli precheck"
    read_only = true
    timeout   = "15m"
  }
  action "verify" {
    command   = "smcli verify"
    read_only = true
    timeout   = "15m"
  }

  # --- network (read-only) ---
  action "port_check" {
    # firewall.ports: a TCP connect from the node to System Manager that sends
    # no data; exit status 0 means the port is reachable.
    command   = "nc -z -w 5 {{.host}} {{.port}}"
    read_only = true
    timeout   = "30s"
  }

  # --- files on the node ---
  # What an uploaded installer medium holds (kind, product, release, SSP
  # level), read before the node is drained so a medium for the wrong
  # release is refused while the node still carries calls. [assume] the
  # vendor's installers check this only when run: a site whose nodes offer
  # another way to read a medium's header overrides this action.
  action "media_info" {
    command   = "smcli media-info {{.path}}"
    read_only = true
    parse     = "regex_map"
    regex     = "(?m)^(Kind|Product|Release|SSP):\\s*(\\S+)\\s*$"
    timeout   = "5m"
  }
  action "checksum" {
    command   = "sha256sum {{.path}}"
    read_only = true
    parse     = "regex"
    regex     = "^([0-9a-f]{64})\\s"
    timeout   = "15m"
  }
  action "mkdir" {
    command = "mkdir -p {{.path}}"
    timeout = "2m"
  }
  action "remove" {
    command = "rm -f {{.path}}"
    timeout = "2m"
  }

  # --- changes ---
  action "backup" {
    command = "backupSM --dir /var/opt/backup"
    parse   = "regex"
    regex   = "(?m)^Backup archive:\\s*(\\S+)"
    timeout = "2h"
  }
  action "ssp_install" {
    command = "installSSP --media {{.media}} --sha256 {{.sha256}}"
    timeout = "2h"
  }
  action "upgrade" {
    command = "upgradeSM --media {{.media}} --sha256 {{.sha256}}"
    timeout = "4h"
  }
  action "rollback_install" {
    # on_failure = "rollback": reinstall the hop's source release.
    command = "upgradeSM --media {{.media}} --sha256 {{.sha256}} --rollback"
    timeout = "4h"
  }
  action "restore" {
    command = "restoreSM --archive {{.archive}}"
    timeout = "2h"
  }
  action "migrate" {
    command = "smDataMigration --archive {{.archive}}"
    timeout = "4h"
  }
  action "deny_new_service" {
    command = "smcli service-state deny"
    timeout = "5m"
  }
  action "accept_new_service" {
    command = "smcli service-state accept"
    timeout = "5m"
  }
}

kind "branch_session_manager" {
  extends = "session_manager"
}

kind "system_manager" {
  extends = "session_manager"

  action "release" {
    command   = "bash -lc swversion"
    read_only = true
    parse     = "regex"
    regex     = "(?m)^Software Update Revision:\\s*([0-9][0-9.]*)\\s*$"
    timeout   = "2m"
  }
  # System Manager has no User Data Storage: the fact stays empty.
  action "uds_backup" {
    command   = ""
    read_only = true
  }
  # SMGRPatchdeploy installs release and SSP media alike; it asks to accept
  # the EULA on its standard input.
  action "ssp_install" {
    command = "SMGRPatchdeploy --media {{.media}} --sha256 {{.sha256}}"
    stdin   = "y\n"
    timeout = "2h"
  }
  action "upgrade" {
    command = "SMGRPatchdeploy --media {{.media}} --sha256 {{.sha256}}"
    stdin   = "y\n"
    timeout = "4h"
  }
  action "rollback_install" {
    command = "SMGRPatchdeploy --media {{.media}} --sha256 {{.sha256}} --rollback"
    stdin   = "y\n"
    timeout = "4h"
  }
  # A geo-redundant pair is upgraded with its data replication disabled, and
  # it is re-enabled after both members are done. [assume] the vendor
  # documents this as a console action (Geographic Redundancy: Disable /
  # Enable Replication) on the primary; the command below stands for it:
  # override it in a profile block with your site's way of doing it.
  action "replication_off" {
    command = "smcli replication disable"
    timeout = "15m"
  }
  action "replication_on" {
    command = "smcli replication enable"
    timeout = "30m"
  }
}
