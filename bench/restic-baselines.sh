#!/usr/bin/env bash
# What a user writes instead of restic-monitor in restic mode: for each repository, list its
# snapshots and push a beat to Uptime Kuma. Nothing parses the output: a lower bound.
# Usage: restic-baselines.sh loop|xargs PARALLEL PUSH_URL REPO:TOKEN...
# (RESTIC_PASSWORD and RESTIC_CACHE_DIR come from the environment.)
set -euo pipefail
how=$1 parallel=$2 push=$3
shift 3
one() {
  local repo=${1%%:*} token=${1##*:}
  restic -r "$repo" snapshots --json --no-lock --latest 1 >/dev/null
  curl -fsS "${push}${token}?status=up&msg=OK&ping=" >/dev/null
}
case $how in
  loop)
    for entry in "$@"; do one "$entry"; done
    ;;
  xargs)
    export -f one
    export push
    printf '%s\n' "$@" | xargs -P "$parallel" -I{} bash -c 'one "$1"' _ {}
    ;;
  *) echo "usage: $0 loop|xargs PARALLEL PUSH_URL REPO:TOKEN..." >&2; exit 2 ;;
esac
