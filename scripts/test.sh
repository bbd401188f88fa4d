#!/usr/bin/env bash
# The whole test suite: real restic, rclone and s3rver, built from a clean tree.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh restic rclone
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -rf dist
npx tsc -p tsconfig.json
# Test files run in parallel processes; restic's key derivation is CPU-bound, so a few
# more than the cores keeps both busy while others wait on I/O.
mapfile -t files < <(find dist/test -name "*.test.js" | sort)
exec node --test --test-concurrency="${TEST_CONCURRENCY:-4}" --test-reporter=spec "${files[@]}"
