# What the module makes of the seed's example and of the variants in variants.nix, as JSON
# for .ci/nix-module-check.mjs: `nix-instantiate --eval --strict --json nix/checks/eval.nix`.
let
  stubs = import ./stubs.nix;
  flake = import ../../flake.nix;
  restic-monitor = flake.outputs { self = restic-monitor; nixpkgs = stubs.nixpkgs; };
  variants = import ./variants.nix restic-monitor;
  seed = (import ./seed-example.nix).outputs {
    self = { };
    nixpkgs = stubs.nixpkgs;
    inherit restic-monitor;
  };
  evaluate = modules: (stubs.nixosSystem { system = "x86_64-linux"; inherit modules; }).config;
  summary = config: {
    service = config.systemd.services.restic-monitor or null;
    timer = config.systemd.timers.restic-monitor or null;
    users = let users = config.users or null; in if users ? _type then null else users;
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
  rejects = modules: !(builtins.tryEval (builtins.deepSeq (summary (evaluate modules)) true)).success;
  package = restic-monitor.packages.x86_64-linux.default;
in
{
  seed = summary seed.nixosConfigurations.my-host.config;
  daemon = summary (evaluate variants.daemon);
  minimal = summary (evaluate variants.minimal);
  typo = summary (evaluate variants.typo);
  unchecked = summary (evaluate variants.unchecked);
  disabled = summary (evaluate variants.disabled);
  rejected = builtins.mapAttrs (_: rejects) variants.rejected;
  package = {
    inherit (package) pname version installPhase;
    out = package.outPath;
    mainProgram = package.meta.mainProgram;
  };
}
