# NixOS module: services.restic-monitor. Accepts the original tool's example unchanged
# (enable, interval, environmentFile, settings) and adds package, fast and mode.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.restic-monitor;
  settingsFormat = pkgs.formats.yaml { };
  renderedConfig = settingsFormat.generate "restic-monitor.yaml" cfg.settings;
  # The rendered file checked by the package's own `validate`, as nixpkgs' Prometheus module
  # runs `promtool check config`: a typo such as `push_tokn` then fails nixos-rebuild instead
  # of the first run. Secrets are not in the store, so every ''${NAME} the file refers to
  # gets a placeholder value for the check; validate reads no file and no network.
  checkedConfig = pkgs.runCommandLocal "restic-monitor-checked.yaml"
    { nativeBuildInputs = [ cfg.package ]; }
    ''
      for name in $(grep -o '\''${[A-Za-z_][A-Za-z0-9_]*}' ${renderedConfig} | tr -d '$' | tr -d '{}' | sort -u); do
        export "$name=restic-monitor-build-check"
      done
      ${lib.optionalString cfg.fast "export RESTIC_MONITOR_FAST=true"}
      restic-monitor validate --config ${renderedConfig} >/dev/null
      ln -s ${renderedConfig} $out
    '';
  configFile = if cfg.checkConfig then checkedConfig else renderedConfig;
  daemon = cfg.mode == "daemon";
  command = if daemon then "daemon" else "run";
in
{
  options.services.restic-monitor = {
    enable = lib.mkEnableOption "restic-monitor, which checks that restic repositories received a recent snapshot and pushes the result to Uptime Kuma";

    package = mkOption {
      type = types.package;
      default = pkgs.restic-monitor;
      defaultText = lib.literalExpression "pkgs.restic-monitor";
      description = "The restic-monitor package (add this flake's overlays.default to get pkgs.restic-monitor).";
    };

    mode = mkOption {
      type = types.enum [ "timer" "daemon" ];
      default = "timer";
      description = ''
        "timer": a oneshot service started by a timer at `interval`.
        "daemon": a long-running service that schedules itself (the config's `interval`) and
        serves /healthz and metrics on the config's `listen` address; `interval` is unused.
      '';
    };

    interval = mkOption {
      type = types.str;
      default = "*-*-* 00,12:00:00";
      example = "*-*-* 06,18:00:00";
      description = "When the timer runs the checks: a systemd OnCalendar expression (default: twice a day).";
    };

    environmentFile = mkOption {
      type = types.nullOr (types.strMatching "/.+");
      default = null;
      example = "/run/secrets/restic-monitor-env";
      description = ''
        A root-only KEY=VALUE file (RESTIC_PASSWORD, AWS_SECRET_ACCESS_KEY, values for
        ''${VAR} in settings, ...). Handed to the service with LoadCredential, so it is read
        from a private tmpfs and never shows in `systemctl show` or the Nix store. Give it as
        a string, not a Nix path: a path would be copied into the world-readable store.
      '';
    };

    fast = mkOption {
      type = types.bool;
      default = false;
      description = "Sets RESTIC_MONITOR_FAST=true: S3 repositories are checked by listing snapshots/ (no password needed).";
    };

    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Check the rendered settings with `restic-monitor validate` while the system is built,
        so that an unknown key or a bad value fails nixos-rebuild. Every "''${NAME}" gets a
        placeholder value for the check: turn it off only if such a reference feeds a value
        that must have a form (a duration, a URL), which the placeholder cannot have.
      '';
    };

    settings = mkOption {
      type = settingsFormat.type;
      default = { };
      description = ''
        The config file (defaults, repositories, ...) as Nix values. It lands in the Nix
        store, which every local user can read: keep secrets in environmentFile and refer to
        them as "''${NAME}" here.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.restic-monitor = {
      isSystemUser = true;
      group = "restic-monitor";
      description = "restic-monitor";
    };
    users.groups.restic-monitor = { };

    systemd.services.restic-monitor = {
      description = "restic-monitor: check restic snapshot freshness and push to Uptime Kuma";
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      wantedBy = lib.optional daemon "multi-user.target";
      restartTriggers = [ configFile ];

      environment = {
        RESTIC_CACHE_DIR = "/var/cache/restic-monitor";
        HOME = "/var/lib/restic-monitor";
      } // lib.optionalAttrs cfg.fast { RESTIC_MONITOR_FAST = "true"; };

      serviceConfig = {
        # The daemon says READY=1 (through systemd-notify, on the PATH NixOS gives every
        # service) once its signal handlers, config and endpoint are in place: a reload or a
        # unit ordered after it waits for that.
        Type = if daemon then "notify" else "oneshot";
        ExecStart = "${cfg.package}/bin/restic-monitor ${command} --config ${configFile}"
          + lib.optionalString (cfg.environmentFile != null) " --environment-file env";
        LoadCredential = lib.optional (cfg.environmentFile != null) "env:${cfg.environmentFile}";
        User = "restic-monitor";
        Group = "restic-monitor";
        CacheDirectory = "restic-monitor";
        StateDirectory = "restic-monitor";
        Nice = 10;
        IOSchedulingClass = "idle";

        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        PrivateUsers = true;
        PrivateMounts = true;
        NoNewPrivileges = true;
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [ "@system-service" "~@privileged" ];
        SystemCallErrorNumber = "EPERM";
        DevicePolicy = "closed";
        UMask = "0077";
        # MemoryDenyWriteExecute stays off: Node's JIT needs writable code pages.
      } // (if daemon then {
        NotifyAccess = "all"; # systemd-notify is the daemon's child, not the main process
        Restart = "on-failure";
        RestartSec = "30s";
        RestartPreventExitStatus = 2; # a config error: restarting cannot fix it
      } else {
        TimeoutStartSec = "30min";
      });
    };

    systemd.timers.restic-monitor = lib.mkIf (!daemon) {
      description = "restic-monitor on a schedule";
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnCalendar = cfg.interval;
        RandomizedDelaySec = "10min";
        Persistent = true;
      };
    };
  };
}
