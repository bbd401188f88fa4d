#!/usr/bin/env bash
# The committed bundle/ must be exactly what `npm run bundle` makes from the sources and the
# locked dependencies: the Nix package and the container ship it as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/esbuild ] || npm ci --no-audit --no-fund
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
node scripts/bundle.mjs "$fresh/bundle"
if ! diff -r bundle "$fresh/bundle" >/dev/null; then
  diff -rq bundle "$fresh/bundle" || true
  echo "bundle-check: bundle/ is out of date: run \"npm run bundle\" and commit bundle/" >&2
  exit 1
fi
# It runs on its own, away from node_modules, and knows its version.
cp -r "$fresh/bundle" "$fresh/alone"
expected="restic-monitor $(node -p 'require("./package.json").version')"
actual=$(cd / && node "$fresh/alone/restic-monitor.mjs" --version)
[ "$actual" = "$expected" ] || { echo "bundle-check: --version printed \"$actual\", expected \"$expected\"" >&2; exit 1; }
echo "bundle-check: bundle/ matches a fresh build ($(du -sk bundle | cut -f1) KiB)"
