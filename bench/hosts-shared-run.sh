#!/usr/bin/env bash
# Cost of N host checks on one shared repository: one restic run per cycle (hosts: fan-out)
# against N runs (the same checks kept apart, as N repository entries that cannot share).
# Usage: bash bench/hosts-shared-run.sh [N] [ROUNDS]   (needs restic and a built dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-8}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR="$work/cache"
mkdir -p "$work/data" && echo data > "$work/data/file"
restic -q -r "$work/repo" init >/dev/null
for i in $(seq 1 "$n"); do restic -q -r "$work/repo" backup --host "host$i" "$work/data" >/dev/null; done

{
  echo "concurrency: 2"
  echo "repositories:"
  echo "  fleet:"
  echo "    url: $work/repo"
  echo "    hosts:"
  for i in $(seq 1 "$n"); do echo "      host$i:"; done
} >"$work/shared.yaml"
{
  echo "concurrency: 2"
  echo "repositories:"
  for i in $(seq 1 "$n"); do
    # A distinct extra_env value gives each entry its own restic run.
    printf '  host%s:\n    url: %s\n    host: host%s\n    extra_env:\n      BENCH_RUN: "%s"\n' "$i" "$work/repo" "$i" "$i"
  done
} >"$work/separate.yaml"

measure() {
  local label=$1 config=$2
  for round in $(seq 1 "$rounds"); do
    /usr/bin/time -f "$label round $round: %e s wall, %U s user + %S s sys CPU (children included)" \
      node dist/src/cli.js status -c "$config" >/dev/null 2>"$work/err" || true
    tail -n 1 "$work/err"
  done
}
echo "N=$n hosts in one repository, concurrency 2, $(nproc) cores, restic $(restic version | cut -d' ' -f2)"
measure "shared (1 restic run) " "$work/shared.yaml"
measure "separate ($n restic runs)" "$work/separate.yaml"
