# restic-monitor from the committed esbuild bundle (../bundle): one ESM file with its npm
# dependencies inside, plus lazily loaded chunks. Nothing is fetched and there is no hash to
# keep up to date: nixpkgs' npm builders fetch only lock entries that carry a `resolved` URL,
# and this project's package-lock.json deliberately has none (see docs/deployment.md).
{ lib, stdenvNoCC, makeWrapper, nodejs, restic, rclone }:

stdenvNoCC.mkDerivation {
  pname = "restic-monitor";
  version = (lib.importJSON ../package.json).version;

  src = ../bundle;

  nativeBuildInputs = [ makeWrapper ];
  # Lets the fixup phase point the bundle's `#!/usr/bin/env node` at this nodejs too.
  buildInputs = [ nodejs ];

  dontConfigure = true;
  dontBuild = true;

  installPhase = ''
    runHook preInstall
    mkdir -p $out/lib/restic-monitor $out/bin
    cp -r . $out/lib/restic-monitor/
    makeWrapper ${nodejs}/bin/node $out/bin/restic-monitor \
      --add-flags $out/lib/restic-monitor/restic-monitor.mjs \
      --prefix PATH : ${lib.makeBinPath [ restic rclone ]}
    runHook postInstall
  '';

  meta = {
    description = "Snapshot-freshness monitor for restic repositories, pushing heartbeats to Uptime Kuma";
    license = lib.licenses.mit;
    mainProgram = "restic-monitor";
    platforms = lib.platforms.linux;
  };
}
