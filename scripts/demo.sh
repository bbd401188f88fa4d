#!/usr/bin/env bash
# A self-contained demo: two throwaway local restic repositories (one fresh, one two days
# old) and `restic-monitor status` on them. Nothing outside a temp directory is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh restic
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json

work=$(mktemp -d -t restic-monitor-demo-XXXXXX)
export RESTIC_PASSWORD=demo-password RESTIC_CACHE_DIR="$work/cache"
mkdir -p "$work/data" && echo "hello from restic-monitor" > "$work/data/hello.txt"
two_days_ago=$(date -u -d '2 days ago' '+%Y-%m-%d %H:%M:%S')
restic init -q -r "$work/repos/demo-fresh" >/dev/null
restic backup -q -r "$work/repos/demo-fresh" "$work/data"
restic init -q -r "$work/repos/demo-stale" >/dev/null
restic backup -q -r "$work/repos/demo-stale" --time "$two_days_ago" "$work/data"

cat > "$work/config.yaml" <<YAML
defaults:
  url: "$work/repos/{{ .Name }}"
  max_age: 1d
repositories:
  demo-fresh: {}
  demo-stale: {}
YAML

echo "config: $work/config.yaml"
echo
set +e
node dist/src/cli.js status --config "$work/config.yaml"
code=$?
set -e
echo
echo "exit code $code (1 means something is down): demo-stale's newest snapshot is older than its max_age (1d)."
echo "Try: node dist/src/cli.js status --json --config $work/config.yaml"
