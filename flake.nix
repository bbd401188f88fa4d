{
  description = "restic-monitor: restic snapshot freshness pushed to Uptime Kuma";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      package = pkgs: pkgs.callPackage ./nix/package.nix { };
    in
    {
      overlays.default = import ./nix/overlay.nix;

      nixosModules.default = import ./nix/module.nix;

      packages = forAllSystems (pkgs: {
        default = package pkgs;
        restic-monitor = package pkgs;
      });
    };
}
