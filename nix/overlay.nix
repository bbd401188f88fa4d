final: prev: {
  restic-monitor = final.callPackage ./package.nix { };
}
