#!/usr/bin/env bash
# Puts the restic of one Debian suite into DIR/bin without touching the system's restic: users
# run every generation (0.14 in Debian 12, 0.18 in 13, 0.19 in sid), whose failures and
# listings differ (0.17+: exit codes 10-12 and JSON errors; 0.19.0: --latest without groups).
# Usage: restic-debian.sh SUITE DIR; SUITE is trixie or sid. Prints the directory holding the
# binary. The mirror is read from this machine's own apt sources: no host name lives here.
set -euo pipefail
suite=${1:?usage: restic-debian.sh trixie|sid DIR}
dir=${2:?usage: restic-debian.sh trixie|sid DIR}
case "$suite" in
  trixie) version=0.18.0-1+b4 ;;
  sid) version=0.19.1-1 ;;
  *) echo "restic-debian.sh: unknown suite $suite (trixie or sid)" >&2; exit 2 ;;
esac
upstream=${version%%-*}
if [ -x "$dir/bin/restic" ] && "$dir/bin/restic" version | grep -q "restic $upstream "; then
  echo "$dir/bin"
  exit 0
fi

uri=$(bash "$(dirname "$0")/debian-mirror.sh")

mkdir -p "$dir/lists/partial" "$dir/pkg" "$dir/bin"
echo "deb $uri $suite main" > "$dir/sources.list"
apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir/lists" -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -qq >/dev/null
rm -rf "$dir/pkg"/restic_*.deb "$dir/pkg/x"
(cd "$dir/pkg" && apt-get "${apt_opts[@]}" download -qq "restic=$version" >/dev/null)
dpkg -x "$dir"/pkg/restic_*.deb "$dir/pkg/x"
cp "$dir/pkg/x/usr/bin/restic" "$dir/bin/restic"
"$dir/bin/restic" version >&2
echo "$dir/bin"
