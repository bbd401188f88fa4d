# The module under nixpkgs' real module system (lib.evalModules), with the NixOS options it
# sets declared loosely here. Optional, because nixpkgs is not available offline: given a
# checkout of nixpkgs' lib (nixpkgs itself or nix-community/nixpkgs.lib), CI runs
#   nix-instantiate --eval --strict --json nix/checks/eval-real-lib.nix --arg nixpkgsLib PATH
# and compares the result with the stub evaluation (.ci/deploy-checks.sh, NIXPKGS_LIB=PATH).
{ nixpkgsLib }:
let
  lib = import nixpkgsLib;
  inherit (lib) mkOption types;
  stubs = import ./stubs.nix;
  flake = import ../../flake.nix;
  restic-monitor = flake.outputs { self = restic-monitor; nixpkgs = stubs.nixpkgs; };
  # The seed's own modules list, taken from its nixosSystem call as written.
  seedModules = ((import ./seed-example.nix).outputs {
    nixpkgs.lib.nixosSystem = args: args;
    inherit restic-monitor;
  }).nixosConfigurations.my-host.modules;

  # YAML values as nixpkgs' formats.yaml accepts them.
  # (Its own description, or describing it would recurse forever.)
  yamlValue = types.nullOr (types.oneOf [ types.bool types.int types.float types.str types.path
    (types.attrsOf yamlValue) (types.listOf yamlValue) ]) // { description = "YAML value"; };
  loose = types.attrsOf types.anything;
  nixos = { config, ... }: {
    options = {
      nixpkgs.overlays = mkOption { type = types.listOf types.anything; default = [ ]; };
      users.users = mkOption { type = loose; default = { }; };
      users.groups = mkOption { type = loose; default = { }; };
      systemd.services = mkOption { type = types.attrsOf loose; default = { }; };
      systemd.timers = mkOption { type = types.attrsOf loose; default = { }; };
    };
    config._module.args.pkgs =
      let base = stubs.nixpkgs.legacyPackages.x86_64-linux // {
        formats.yaml = { }: {
          type = yamlValue;
          generate = name: value: stubs.stubPackage name // { settings = value; };
        };
      };
      in lib.foldl' (acc: overlay: acc // overlay acc acc) base config.nixpkgs.overlays;
  };
  evaluate = modules: (lib.evalModules { modules = [ nixos ] ++ modules; }).config;
  variants = import ./variants.nix restic-monitor;
  rejects = modules: !(builtins.tryEval (builtins.deepSeq (summary (evaluate modules)) true)).success;
  summary = config: {
    service = config.systemd.services.restic-monitor or null;
    timer = config.systemd.timers.restic-monitor or null;
    users = if config.users.users == { } then null else config.users;
    settings = config.services.restic-monitor.settings;
    # What builds the config file the service reads (restartTriggers holds it): with
    # checkConfig, a derivation whose script runs `restic-monitor validate` on the rendered file.
    check =
      let
        service = config.systemd.services.restic-monitor or null;
        file = if service == null then null else builtins.head service.restartTriggers;
      in
      if file == null || !(file ? script) then null else {
        inherit (file) name script;
        nativeBuildInputs = map (p: p.outPath) file.env.nativeBuildInputs;
      };
  };
in
{
  seed = summary (evaluate seedModules);
  daemon = summary (evaluate variants.daemon);
  minimal = summary (evaluate variants.minimal);
  typo = summary (evaluate variants.typo);
  unchecked = summary (evaluate variants.unchecked);
  disabled = summary (evaluate variants.disabled);
  rejected = builtins.mapAttrs (_: rejects) variants.rejected;
}
