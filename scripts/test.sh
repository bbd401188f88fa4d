#!/usr/bin/env bash
# The whole test suite: real restic (0.14 from Debian 12 and 0.18 from Debian 13), rclone and
# s3rver, built from a clean tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh restic rclone openssl promtool=prometheus chromium
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -rf dist
npx tsc -p tsconfig.json
# Test files run in parallel processes; restic's key derivation is CPU-bound, so a few
# more than the cores keeps both busy while others wait on I/O.
run_tests() { node --test --test-concurrency="${TEST_CONCURRENCY:-4}" --test-reporter=spec "$@"; }

# Users run both restic generations, whose failures look different (0.17+: exit codes
# 10-12, JSON errors, retries): the suites that run real restic run against 0.18 too.
restic18=$(bash scripts/restic-0.18.sh "${XDG_CACHE_HOME:-$HOME/.cache}/restic-monitor/restic-0.18")
echo "== restic 0.18: $("$restic18/restic" version)"
status18=0
PATH="$restic18:$PATH" run_tests dist/test/restic-checker.test.js dist/test/cli.test.js dist/test/shared-restic.test.js \
  dist/test/s3-fast-vs-restic.test.js dist/test/read-only.test.js dist/test/read-only-s3.test.js \
  dist/test/fast-local-rclone.test.js dist/test/secrets.test.js > dist/restic-0.18.log 2>&1 || status18=$?
grep -E '^ℹ (tests|pass|fail)' dist/restic-0.18.log | sed 's/^/  restic 0.18: /'
if [ "$status18" -ne 0 ]; then
  grep -E '^✖|^not ok' dist/restic-0.18.log | head -20
  echo "restic 0.18 pass FAILED (full log: dist/restic-0.18.log)"
fi

echo "== restic $(restic version | cut -d' ' -f2): the whole suite"
mapfile -t files < <(find dist/test -name "*.test.js" | sort)
status=0
run_tests "${files[@]}" || status=$?
[ "$status18" -eq 0 ] && exit "$status"
echo "restic 0.18 pass failed: see above"
exit 1
