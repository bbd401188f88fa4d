# The NixOS example from the original tool's announcement (seeds/002), as written there.
# CI evaluates it against this project's flake: it must keep working unchanged.
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    restic-monitor.url = "git+https://codeberg.org/stv0g/restic-monitor";
  };
  outputs = { nixpkgs, restic-monitor, ... }: {
    nixosConfigurations.my-host = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [
        restic-monitor.nixosModules.default
        {
          nixpkgs.overlays = [ restic-monitor.overlays.default ];
          services.restic-monitor = {
            enable = true;
            interval = "*-*-* 06,18:00:00";
            # loaded via systemd LoadCredential into a private tmpfs
            environmentFile = "/run/secrets/restic-monitor-env";
            settings = {
              defaults = {
                url = "s3:https://s3.example.com/restic-{{ .Name }}";
                push_url = "https://uptime-kuma.example.com/api/push/";
              };
              repositories = {
                web-server.push_token = "yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6";
                db-server = { push_token = "ap2F52Qjmup9dxyPcWa1eNt125AukcrV"; max_age = "6h"; };
              };
            };
          };
        }
      ];
    };
  };
}
