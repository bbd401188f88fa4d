# What the module makes of the seed's example and of a daemon variant, as JSON for
# .ci/nix-module-check.mjs: `nix-instantiate --eval --strict --json nix/checks/eval.nix`.
let
  stubs = import ./stubs.nix;
  flake = import ../../flake.nix;
  restic-monitor = flake.outputs { self = restic-monitor; nixpkgs = stubs.nixpkgs; };
  seed = (import ./seed-example.nix).outputs {
    self = { };
    nixpkgs = stubs.nixpkgs;
    inherit restic-monitor;
  };
  daemon = stubs.nixosSystem {
    system = "x86_64-linux";
    modules = [
      restic-monitor.nixosModules.default
      {
        nixpkgs.overlays = [ restic-monitor.overlays.default ];
        services.restic-monitor = {
          enable = true;
          mode = "daemon";
          fast = true;
          settings = {
            listen = "127.0.0.1:9469";
            repositories.backup.url = "s3:https://s3.example.com/backup";
          };
        };
      }
    ];
  };
  minimal = stubs.nixosSystem {
    system = "x86_64-linux";
    modules = [
      restic-monitor.nixosModules.default
      {
        nixpkgs.overlays = [ restic-monitor.overlays.default ];
        services.restic-monitor = {
          enable = true;
          settings.repositories.local = { url = "/srv/restic"; push_token = "\${LOCAL_TOKEN}"; };
        };
      }
    ];
  };
  # Mistakes the real module system rejects must fail here too, or the checks prove nothing.
  rejects = config:
    let system = stubs.nixosSystem {
      system = "x86_64-linux";
      modules = [ restic-monitor.nixosModules.default { nixpkgs.overlays = [ restic-monitor.overlays.default ]; services.restic-monitor = config; } ];
    };
    in !(builtins.tryEval (builtins.deepSeq (summary system) true)).success;
  disabled = stubs.nixosSystem {
    system = "x86_64-linux";
    modules = [ restic-monitor.nixosModules.default { services.restic-monitor.enable = false; } ];
  };
  summary = system: {
    service = system.config.systemd.services.restic-monitor or null;
    timer = system.config.systemd.timers.restic-monitor or null;
    users = let users = system.config.users or null; in if users ? _type then null else users;
    settings = system.config.services.restic-monitor.settings;
  };
in
{
  seed = summary seed.nixosConfigurations.my-host;
  daemon = summary daemon;
  minimal = summary minimal;
  rejected = {
    unknownOption = rejects { enable = true; intervall = "daily"; };
    badMode = rejects { enable = true; mode = "cron"; };
    storePathEnvironmentFile = rejects { enable = true; environmentFile = ./seed-example.nix; };
    relativeEnvironmentFile = rejects { enable = true; environmentFile = "secrets/env"; };
    functionInSettings = rejects { enable = true; settings.repositories.x.url = x: x; };
  };
  disabled = summary disabled;
  package = {
    inherit (restic-monitor.packages.x86_64-linux.default) pname version installPhase;
    out = restic-monitor.packages.x86_64-linux.default.outPath;
    mainProgram = restic-monitor.packages.x86_64-linux.default.meta.mainProgram;
  };
}
