#!/usr/bin/env bash
# Makes docs/status-page.png: a daemon over throwaway local repositories (fresh, stale, one
# in fast mode, one with a wrong password, one whose push target refuses), and headless
# Chromium's screenshot of its status page. Nothing outside a temp directory is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh restic chromium
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json

work=$(mktemp -d -t restic-monitor-screenshot-XXXXXX)
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export RESTIC_PASSWORD=demo-password RESTIC_CACHE_DIR="$work/cache"
mkdir -p "$work/data" && echo "hello from restic-monitor" > "$work/data/hello.txt"
for name in web-server db-server nas; do restic init -q -r "$work/repos/$name" >/dev/null; done
restic backup -q -r "$work/repos/web-server" --time "$(date -u -d '3 hours ago' '+%Y-%m-%d %H:%M:%S')" "$work/data"
restic backup -q -r "$work/repos/db-server" --time "$(date -u -d '2 days ago 4 hours ago' '+%Y-%m-%d %H:%M:%S')" "$work/data"
restic backup -q -r "$work/repos/nas" "$work/data"

cat > "$work/config.yaml" <<YAML
listen: 127.0.0.1:0
defaults:
  url: "$work/repos/{{ .Name }}"
  max_age: 1d
  interval: 1h
  extra_env:
    RESTIC_PASSWORD: demo-password
repositories:
  web-server: {}
  db-server:
    max_age: 6h
  nas:
    mode: fast
    max_age: 12h
  laptop:
    url: "$work/repos/web-server"
    extra_env:
      RESTIC_PASSWORD: not-the-password
  mail-server:
    url: "$work/repos/web-server"
    push_url: http://127.0.0.1:9/api/push/
    push_token: demo-token
YAML

node dist/src/cli.js daemon -c "$work/config.yaml" 2> "$work/daemon.log" &
daemon_pid=$!
url=
for _ in $(seq 100); do
  url=$(grep -o '"listen":"[^"]*"' "$work/daemon.log" | cut -d'"' -f4 || true)
  [ -n "$url" ] && [ "$(curl -s "$url/status" | grep -c '"name"')" -eq 5 ] && break
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/daemon.log"; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" \
  --window-size=1280,400 --screenshot="$PWD/docs/status-page.png" "$url/" 2>/dev/null
echo "wrote docs/status-page.png from $url/"
