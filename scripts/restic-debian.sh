#!/usr/bin/env bash
# Puts one Debian build of restic into DIR/bin beside the system's own, without installing it:
#   restic-debian.sh DIR SUITE VERSION    e.g.  restic-debian.sh ~/.cache/x/restic-0.19 sid 0.19.1-1
# The mirror is read from this machine's apt sources at run time (no host name is written into
# the project). Debian's restic is a static binary: it runs beside Debian 12's 0.14.
# Prints the directory holding the binary.
set -euo pipefail
dir=${1:?usage: restic-debian.sh DIR SUITE VERSION}
suite=${2:?usage: restic-debian.sh DIR SUITE VERSION}
version=${3:?usage: restic-debian.sh DIR SUITE VERSION}
upstream=${version%%-*}
if [ -x "$dir/bin/restic" ] && "$dir/bin/restic" version | grep -q "restic $upstream "; then
  echo "$dir/bin"
  exit 0
fi
uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /-security$/) { print $i; exit } }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { echo "restic-debian.sh: no Debian mirror found in this machine's apt sources" >&2; exit 1; }
mkdir -p "$dir/lists/partial" "$dir/pkg" "$dir/bin"
echo "deb $uri $suite main" > "$dir/sources.list"
apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir/lists" -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -qq >/dev/null
rm -f "$dir"/pkg/restic_*.deb
(cd "$dir/pkg" && apt-get "${apt_opts[@]}" download -qq "restic=$version" >/dev/null)
rm -rf "$dir/pkg/x"
dpkg -x "$dir"/pkg/restic_*.deb "$dir/pkg/x"
cp "$dir/pkg/x/usr/bin/restic" "$dir/bin/restic"
"$dir/bin/restic" version >&2
echo "$dir/bin"
