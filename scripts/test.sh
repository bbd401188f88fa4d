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
# The type check too: tsc fails on a type error, and nothing runs.
npx tsc -p tsconfig.json

cache="${XDG_CACHE_HOME:-$HOME/.cache}/restic-monitor"
restic018=$(bash scripts/restic-debian.sh trixie "$cache/restic-trixie")
restic0191=$(bash scripts/restic-debian.sh sid "$cache/restic-sid")

# Test files by their path under test/ (they mirror src/). Pure suites are
# test/**/*.unit.test.ts (scripts/test-unit.mjs); the whole suite runs both kinds.
in_dist() { local name; for name in "$@"; do echo "dist/test/$name.test.js"; done; }
exists() {
  local file
  for file in "$@"; do
    [ -f "$file" ] || { echo "scripts/test.sh: $file does not exist (a moved test? fix the list here)" >&2; exit 1; }
  done
}

# The files that run real restic, run again under 0.18 and 0.19.1.
versioned=(checkers/restic/restic-checker cli/cli checkers/restic/shared-restic checkers/child-env-real checkers/s3/s3-fast-vs-restic checkers/read-only checkers/s3/read-only-s3 checkers/fast-local-rclone secrets health/signals-restic health/mirror-lag-restic discover/discover-s3 integrity/integrity-restic health/restore-drill-restic checkers/rclone/rclone-connection-string)
mapfile -t files < <(in_dist "${versioned[@]}")
exists "${files[@]}"

# Each of them once per other version, as a file of its own: that version's binary first
# on PATH, and RESTIC_MONITOR_READER=restic, so that the monitor asks that binary, not the
# built-in reader (whose agreement with every version has its own test). Its tests run
# inside a suite named for the version, so the output says which version failed.
wrappers=()
for entry in "0.18:$restic018" "0.19.1:$restic0191"; do
  version=${entry%%:*}
  bin=${entry#*:}
  for name in "${versioned[@]}"; do
    wrapper="dist/versioned/restic-$version/$name.test.mjs"
    mkdir -p "$(dirname "$wrapper")"
    cat >"$wrapper" <<WRAPPER
// Made by scripts/test.sh: test/$name.test.ts against restic $version.
process.env.PATH = \`$bin:\${process.env.PATH}\`;
process.env.RESTIC_MONITOR_READER = 'restic';
const { describe } = await import('node:test');
describe('restic $version: $name', async () => {
  await import('$(realpath --relative-to="$(dirname "$wrapper")" "dist/test/$name.test.js")');
});
WRAPPER
    wrappers+=("$wrapper")
  done
done

# The files that take longest start first: one that starts late and runs long sets the
# end of the run. Then the other versions' files, then the rest.
slow_first=(checkers/reader/reader-agreement checkers/reader/derivation daemon/daemon-memory daemon/daemon-soak kuma/kuma-sync checkers/reader/reader-cache cli/cli config/load secrets discover/discover-s3 health/mirror-lag-restic config/env-file-cli checkers/restic/shared-restic)
mapfile -t first < <(in_dist "${slow_first[@]}")
exists "${first[@]}"
# The pure suites in one process, as npm run test:unit runs them: a process of their own
# costs each more than the suite itself.
mapfile -t pure < <(find dist/test -name "*.unit.test.js" | sort)
printf "import './%s';\n" "${pure[@]#dist/test/}" >dist/test/pure-suites.test.mjs
mapfile -t rest < <(find dist/test -name "*.test.js" ! -name "*.unit.test.js" | sort | grep -vxF -f <(printf '%s\n' "${first[@]}"))
files=("${first[@]}" "${wrappers[@]}" "${rest[@]}" dist/test/pure-suites.test.mjs)

# One pool of processes for all three versions: restic's key derivation and Node's start-up
# are CPU-bound, the rest of a test mostly waits (on restic, servers, timers), so a few
# more processes than cores keep both busy.
echo "== the whole suite under restic $(restic version | cut -d' ' -f2), and the files that run restic under 0.18 and 0.19.1"
status=0
started=$SECONDS
node --test --test-concurrency="${TEST_CONCURRENCY:-6}" \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/test-report.mjs --test-reporter-destination=dist/test-files.txt \
  "${files[@]}" || status=$?
# CPU time is what the 2 cores run out of: the figure to compare between runs on a shared
# machine (times: user and system of this script, then of every process it ran).
echo "== ${#files[@]} test files took $((SECONDS - started)) s; CPU time:"
times
echo "== the longest test files:"
sed -n '2,16p' dist/test-files.txt
if grep -q '  FAIL  ' dist/test-files.txt; then
  echo "== failed:"
  grep '  FAIL  ' dist/test-files.txt
fi
exit "$status"
