# Just enough of nixpkgs' lib, pkgs and module system to evaluate ../module.nix offline
# (nixpkgs is not available in CI). Structure only: it checks what the module produces
# for a configuration, not that nixpkgs would build it. Anything the module uses from lib
# or pkgs must exist here, so a new dependency shows up as an evaluation error.
let
  inherit (builtins) all attrNames isAttrs isList isFunction isString isBool isInt
    isFloat isNull elem foldl' concatMap listToAttrs mapAttrs removeAttrs throw;

  mkType = name: check: { inherit name check; };

  types = rec {
    str = mkType "string" isString;
    bool = mkType "boolean" isBool;
    package = mkType "package" (v: isAttrs v && v ? outPath);
    attrs = mkType "attribute set" isAttrs;
    enum = values: mkType "one of ${builtins.toJSON values}" (v: elem v values);
    nullOr = t: mkType "null or ${t.name}" (v: isNull v || t.check v);
    strMatching = re: mkType "string matching ${re}" (v: isString v && builtins.match re v != null);
    # nixpkgs' YAML format type: plain data all the way down.
    yamlValue = mkType "YAML value" (v:
      isNull v || isBool v || isInt v || isFloat v || isString v
      || (isList v && all yamlValue.check v)
      || (isAttrs v && !(v ? _type) && all (k: yamlValue.check v.${k}) (attrNames v)));
  };

  lib = {
    inherit types;
    mkOption = args: args // { _type = "option"; };
    mkEnableOption = description: {
      _type = "option";
      type = types.bool;
      default = false;
      description = "Whether to enable ${description}.";
    };
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    optional = condition: value: if condition then [ value ] else [ ];
    optionalAttrs = condition: set: if condition then set else { };
    optionalString = condition: string: if condition then string else "";
    importJSON = path: builtins.fromJSON (builtins.readFile path);
    makeBinPath = packages: builtins.concatStringsSep ":" (map (p: "${p}/bin") packages);
    genAttrs = names: f: listToAttrs (map (name: { inherit name; value = f name; }) names);
    licenses.mit = { shortName = "MIT"; };
    platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
  };

  stubPackage = name: { outPath = "/nix/store/00000000000000000000000000000000-${name}"; inherit name; };

  basePkgs = self: {
    inherit lib;
    nodejs = stubPackage "nodejs-20";
    restic = stubPackage "restic";
    rclone = stubPackage "rclone";
    makeWrapper = stubPackage "make-wrapper";
    stdenvNoCC.mkDerivation = args: args // stubPackage "${args.pname}-${args.version}";
    # The build script is kept, so checks can read it and run it outside Nix.
    runCommandLocal = name: env: script: stubPackage name // { inherit env script; };
    callPackage = path: overrides:
      let f = import path;
      in f (builtins.intersectAttrs (builtins.functionArgs f) self // overrides);
    formats.yaml = { }: {
      type = types.yamlValue;
      # The real one writes YAML; the value is kept so checks can render and validate it.
      generate = name: value: stubPackage name // { settings = value; };
    };
  };

  # Definitions are merged the way the module system does for the options used here:
  # attribute sets by key, lists concatenated, anything else must agree. As there, an mkIf
  # around an attribute set is pushed down to its keys, so which keys exist never depends on
  # a condition (the module's `config = mkIf cfg.enable {...}` needs cfg to know it).
  isIf = v: isAttrs v && (v._type or null) == "if";
  isPlain = v: isAttrs v && !(v ? _type) && !(v ? outPath);
  absent = { _type = "absent"; };
  isAbsent = v: isAttrs v && (v._type or null) == "absent";
  pushDown = v:
    if isIf v then
      (if isIf v.content then pushDown (lib.mkIf (v.condition && v.content.condition) v.content.content)
       else if isPlain v.content then mapAttrs (_: lib.mkIf v.condition) v.content
       else v)
    else v;
  resolve = v: if isIf v then (if v.condition then resolve v.content else absent) else v;
  merge = path: a: b:
    let a' = pushDown a; b' = pushDown b; in
    if isPlain a' && isPlain b' then
      a' // mapAttrs (k: v: if a' ? ${k} then merge "${path}.${k}" a'.${k} v else v) b'
    else
      let ra = resolve a'; rb = resolve b'; in
      if isAbsent ra then rb
      else if isAbsent rb then ra
      else if isList ra && isList rb then ra ++ rb
      else if ra == rb then ra
      else throw "conflicting definitions of ${path}";
  deepResolve = v:
    let r = resolve v; in
    if isPlain r then
      let m = mapAttrs (_: deepResolve) r;
      in removeAttrs m (builtins.filter (k: isAbsent m.${k}) (attrNames m))
    else if isList r then map deepResolve r
    else r;

  nixosSystem = { system, modules }:
    let
      call = m: if isFunction m then m { inherit config lib pkgs; modulesPath = "/stub"; } else m;
      results = map call modules;
      declared = foldl' (acc: r: acc // (r.options.services or { })) { } results;
      definitions = map (r: if r ? options || r ? config then r.config or { } else r) results;
      merged = foldl' (merge "config") { } definitions;
      userServices = pushDown (merged.services or { });
      # Every declared option's value: its definition, type-checked, else its default.
      services = mapAttrs
        (service: options:
          let
            given = pushDown (userServices.${service} or { });
            unknown = builtins.filter (k: !(options ? ${k})) (attrNames given);
          in
          if unknown != [ ] then throw "The option `services.${service}.${builtins.head unknown}' does not exist."
          else mapAttrs
            (name: option:
              let
                defined = if given ? ${name} then deepResolve given.${name} else absent;
                value = if isAbsent defined then option.default else defined;
              in
              if option.type.check value then value
              else throw "services.${service}.${name}: not a ${option.type.name}")
            options)
        declared;
      # Top-level keys stay even when their mkIf is false (they resolve to `absent`):
      # dropping them would need the conditions, which need config itself.
      config = mapAttrs (_: deepResolve) (removeAttrs merged [ "services" ]) // {
        services = mapAttrs (_: deepResolve) (removeAttrs userServices (attrNames declared)) // services;
      };
      pkgs = let
        overlays = config.nixpkgs.overlays or [ ];
        fix = f: let x = f x; in x;
      in fix (self: foldl' (acc: overlay: acc // overlay self acc) (basePkgs self) overlays);
    in
    { inherit config pkgs; inherit system; };
in
{
  inherit lib nixosSystem stubPackage;
  nixpkgs = {
    lib = lib // { inherit nixosSystem; };
    legacyPackages = lib.genAttrs lib.platforms.linux (system: let self = basePkgs self // { inherit system; }; in self);
  };
}
