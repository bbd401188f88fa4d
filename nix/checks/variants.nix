# Configurations besides the seed's, shared by the stub (eval.nix) and the real-lib
# (eval-real-lib.nix) evaluations: each is a list of NixOS modules.
restic-monitor:
let
  with' = config: [
    restic-monitor.nixosModules.default
    { nixpkgs.overlays = [ restic-monitor.overlays.default ]; services.restic-monitor = config; }
  ];
in
{
  daemon = with' {
    enable = true;
    mode = "daemon";
    fast = true;
    settings = {
      listen = "127.0.0.1:9469";
      repositories.backup.url = "s3:https://s3.example.com/backup";
    };
  };
  minimal = with' {
    enable = true;
    settings.repositories.local = { url = "/srv/restic"; push_token = "\${LOCAL_TOKEN}"; };
  };
  # A typo the module system cannot see (settings are free-form): the build-time check must.
  typo = with' {
    enable = true;
    settings.repositories.web-server = { url = "/srv/restic"; push_tokn = "\${WEB_TOKEN}"; };
  };
  unchecked = with' {
    enable = true;
    checkConfig = false;
    settings.repositories.local.url = "/srv/restic";
  };
  disabled = [ restic-monitor.nixosModules.default { services.restic-monitor.enable = false; } ];
  # Mistakes the real module system rejects: the stubs must reject them too.
  rejected = {
    unknownOption = with' { enable = true; intervall = "daily"; };
    badMode = with' { enable = true; mode = "cron"; };
    storePathEnvironmentFile = with' { enable = true; environmentFile = ./seed-example.nix; };
    relativeEnvironmentFile = with' { enable = true; environmentFile = "secrets/env"; };
    functionInSettings = with' { enable = true; settings.repositories.x.url = x: x; };
  };
}
