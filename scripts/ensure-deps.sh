#!/usr/bin/env bash
# Installs the programs the tests, the CI smokes and the demo run for real (restic, rclone,
# promtool, chromium, podman, debootstrap) when missing. Each argument is a program, or
# PROGRAM=PACKAGE when Debian ships it under another name (promtool=prometheus).
set -euo pipefail
missing=()
for wanted in "$@"; do
  program=${wanted%%=*}
  package=${wanted#*=}
  command -v "$program" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} from Debian's packages" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
# An update first: a fresh machine has no package lists.
"${sudo_cmd[@]}" apt-get update -qq
# Only the programs: recommends would add node_exporter to prometheus and a printer stack to
# chromium, which no test uses.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
