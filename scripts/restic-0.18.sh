#!/usr/bin/env bash
# Puts restic 0.18 (Debian 13's package) into DIR/bin without touching the system's restic:
# users run both 0.14 and 0.18, whose failures look different (exit codes 10-12, JSON errors).
# Prints the directory holding the binary.
set -euo pipefail
dir=${1:?usage: restic-0.18.sh DIR}
version=0.18.0-1+b4
if [ -x "$dir/bin/restic" ] && "$dir/bin/restic" version | grep -q 'restic 0.18'; then
  echo "$dir/bin"
  exit 0
fi
mkdir -p "$dir/lists/partial" "$dir/pkg" "$dir/bin"
echo "deb http://deb.debian.org/debian trixie main" > "$dir/sources.list"
apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir/lists" -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -qq >/dev/null
(cd "$dir/pkg" && apt-get "${apt_opts[@]}" download -qq "restic=$version" >/dev/null)
dpkg -x "$dir"/pkg/restic_*.deb "$dir/pkg/x"
cp "$dir/pkg/x/usr/bin/restic" "$dir/bin/restic"
"$dir/bin/restic" version >&2
echo "$dir/bin"
