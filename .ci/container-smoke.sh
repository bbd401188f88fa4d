#!/usr/bin/env bash
# A real build and run of the Containerfile with podman, offline: the base image is made
# locally with debootstrap (Debian 13 with nodejs, restic, rclone), then the image answers
# --version and runs `status` against a restic repository mounted into it, with its password
# from a mounted env file. Takes minutes (the first debootstrap most of them), so CI runs
# .ci/deploy-checks.sh instead and this stays a one-command check: bash .ci/container-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# SMOKE_BARE_BASE=1: a base without nodejs/restic/rclone, so the build installs them with
# apt-get (needs a Debian mirror from inside the build) as it would on debian:trixie-slim.
if [ "${SMOKE_BARE_BASE:-0}" = 1 ]; then
  BASE=localhost/restic-monitor-smoke-base:trixie-bare
  include=()
else
  BASE=localhost/restic-monitor-smoke-base:trixie
  include=(--include=nodejs,restic,rclone,ca-certificates)
fi
IMAGE=localhost/restic-monitor:smoke
state=${SMOKE_DIR:-/var/tmp/restic-monitor-smoke}
mkdir -p "$state"
say() { echo "container-smoke: $*"; }
fail() { echo "container-smoke: FAILED: $*" >&2; exit 1; }

missing=()
for tool in podman runc debootstrap restic; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# No container engine daemon here: podman with runc and explicit ulimits works (FACTS.md).
cat >"$state/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$state/containers.conf"

if ! podman image exists "$BASE"; then
  say "making the base image with debootstrap (once; a few minutes)"
  rm -rf "$state/rootfs"
  debootstrap --variant=minbase "${include[@]}" trixie "$state/rootfs" >"$state/debootstrap.log" 2>&1 \
    || fail "debootstrap failed, see $state/debootstrap.log"
  tar -C "$state/rootfs" -c . | podman import - "$BASE" >/dev/null 2>&1
  rm -rf "$state/rootfs"
fi

start=$(date +%s)
podman build --quiet --format docker --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f Containerfile . >"$state/build.log" 2>&1 \
  || { cat "$state/build.log" >&2; fail "podman build"; }
say "built $IMAGE in $(( $(date +%s) - start )) s ($(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"

version=$(podman run --rm --no-healthcheck --network=none "$IMAGE" --version)
expected="restic-monitor $(node -p 'require("./package.json").version')"
[ "$version" = "$expected" ] || fail "--version printed \"$version\", expected \"$expected\""
say "--version: $version"
user=$(podman run --rm --no-healthcheck --network=none --entrypoint id "$IMAGE" -u)
[ "$user" != 0 ] || fail "the image runs as root"
say "runs as uid $user"

# A real repository with one snapshot, mounted read-only; the password only in the env file.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
password="smoke-$(date +%s%N)"
RESTIC_PASSWORD=$password restic -q -r "$work/repo" init
RESTIC_PASSWORD=$password restic -q -r "$work/repo" backup --host smoke .containerignore
chmod -R a+rX "$work/repo"
printf 'repositories:\n  mounted:\n    url: /repo\n    max_age: 1h\n' >"$work/config.yaml"
printf 'RESTIC_PASSWORD=%s\n' "$password" >"$work/env"
chmod a+r "$work/config.yaml" "$work/env"
set +e
out=$(podman run --rm --no-healthcheck --network=none \
  -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" -v "$work/env:/run/secrets/restic-monitor-env:ro" \
  -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env \
  "$IMAGE" status --json 2>"$work/stderr")
code=$?
set -e
[ $code -eq 0 ] || { cat "$work/stderr" >&2; echo "$out" >&2; fail "status exited $code"; }
status=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.map((x) => `${x.name}=${x.status} (${x.message})`).join(" "))' "$out")
case $status in mounted=up*) ;; *) fail "status: $status";; esac
grep -q "$password" <<<"$out$(cat "$work/stderr")" && fail "the password shows in the output"
say "status in the container: $status"

# The image's HEALTHCHECK: against the daemon when the bundle has one, else against a
# stand-in /healthz server, so the check command itself is proven either way.
podman rm -f restic-monitor-smoke >/dev/null 2>&1 || true
if podman run --rm --no-healthcheck --network=none "$IMAGE" --help | grep -q '^  daemon'; then
  what=daemon
  printf 'listen: 0.0.0.0:9469\nrepositories:\n  mounted:\n    url: /repo\n    max_age: 1h\n' >"$work/config.yaml"
  podman run -d --name restic-monitor-smoke --network=none \
    -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" -v "$work/env:/run/secrets/restic-monitor-env:ro" \
    -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env "$IMAGE" >/dev/null 2>&1
else
  what="stand-in /healthz server (no daemon command in this bundle yet)"
  podman run -d --name restic-monitor-smoke --network=none --entrypoint node "$IMAGE" \
    -e "require('node:http').createServer((q, s) => { s.statusCode = q.url === '/healthz' ? 200 : 404; s.end(); }).listen(9469)" >/dev/null 2>&1
fi
healthy=no
for _ in $(seq 30); do
  if podman healthcheck run restic-monitor-smoke >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 1
done
logs=$(podman logs restic-monitor-smoke 2>&1 | tail -n 5)
podman rm -f -t 2 restic-monitor-smoke >/dev/null 2>&1
[ $healthy = yes ] || fail "HEALTHCHECK never passed ($what); the log ends:"$'\n'"$logs"
say "HEALTHCHECK passes: $what"
say "passed"
