#!/usr/bin/env bash
# The whole test suite: real restic, rclone and s3rver, built from a clean tree. Users run
# every restic generation, whose failures and listings differ (0.17+: exit codes 10-12, JSON
# errors, retries, backup_end; 0.19: another --latest): the suites that run real restic run
# against Debian 12's 0.14 (on PATH), Debian 13's 0.18.0 and sid's 0.19.1, the latter two
# unpacked into ~/.cache/restic-monitor by scripts/restic-debian.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh restic rclone openssl promtool=prometheus chromium
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -rf dist
npx tsc -p tsconfig.json
# Test files run in parallel processes; restic's key derivation is CPU-bound, so a few
# more than the cores keeps both busy while others wait on I/O.
run_tests() { node --test --test-concurrency="${TEST_CONCURRENCY:-4}" --test-reporter=spec "$@"; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/restic-monitor"
restic018=$(bash scripts/restic-debian.sh trixie "$cache/restic-trixie")
restic0191=$(bash scripts/restic-debian.sh sid "$cache/restic-sid")

# The files that run real restic, by their path under test/ (they mirror src/). Pure suites
# are test/**/*.unit.test.ts (scripts/test-unit.mjs); the whole suite below runs both kinds.
versioned=(checkers/restic/restic-checker cli/cli checkers/restic/shared-restic checkers/child-env-real checkers/s3/s3-fast-vs-restic checkers/read-only checkers/s3/read-only-s3 checkers/fast-local-rclone secrets health/signals-restic health/mirror-lag-restic discover/discover-s3 integrity/integrity-restic health/restore-drill-restic checkers/rclone/rclone-connection-string)
versioned=("${versioned[@]/#/dist/test/}")
versioned=("${versioned[@]/%/.test.js}")
for file in "${versioned[@]}"; do
  [ -f "$file" ] || { echo "scripts/test.sh: $file does not exist (a moved test? fix the versioned list)" >&2; exit 1; }
done

# The whole suite runs first, alone: some of its tests bound how long a busy daemon may take.
echo "== restic $(restic version | cut -d' ' -f2): the whole suite"
mapfile -t files < <(find dist/test -name "*.test.js" | sort)
status=0
started=$SECONDS
run_tests "${files[@]}" || status=$?
echo "== the whole suite took $((SECONDS - started)) s"

# Then the two other versions side by side: restic waits on I/O often enough that two
# streams of two test files keep two cores busy. RESTIC_MONITOR_READER=restic: the monitor
# asks that version's binary, not the built-in reader (whose agreement with every version
# has its own test in the whole suite).
extra() {
  local label=$1 bin=$2
  RESTIC_MONITOR_READER=restic PATH="$bin:$PATH" node --test --test-concurrency=2 --test-reporter=spec "${versioned[@]}" > "dist/restic-$label.log" 2>&1
}
started=$SECONDS
extra 0.18 "$restic018" & pid018=$!
extra 0.19.1 "$restic0191" & pid0191=$!
failed=()
for entry in "0.18:$pid018" "0.19.1:$pid0191"; do
  label=${entry%%:*}
  if ! wait "${entry#*:}"; then failed+=("$label"); fi
  echo "== restic $label: the suites that run restic"
  grep -E '^ℹ (tests|pass|fail)' "dist/restic-$label.log" | sed "s/^/  restic $label: /"
done
echo "== restic 0.18 and 0.19.1 took $((SECONDS - started)) s"
for label in "${failed[@]}"; do
  grep -E '^\s*✖|^not ok' "dist/restic-$label.log" | head -20
  echo "restic $label pass FAILED (full log: dist/restic-$label.log)"
done
[ "${#failed[@]}" -eq 0 ] || exit 1
exit "$status"
