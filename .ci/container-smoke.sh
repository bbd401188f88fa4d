#!/usr/bin/env bash
# A real build and run of the Containerfile with podman, offline: the base image is made
# locally with debootstrap (Debian 13 with nodejs, restic, rclone, tini), then the image
# answers --version, runs `status` against a restic repository mounted into it with its
# password from an env file handed over as docs/deployment.md says (a podman secret for
# uid 10001, and a bind mount of a file that uid owns), passes its HEALTHCHECK, and leaves
# no zombie behind a check it killed (tini is PID 1; without it the same check leaves one).
# It prints the image's size. Takes minutes (the first debootstrap most of them), so CI runs
# .ci/deploy-checks.sh instead and this stays a one-command check: bash .ci/container-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# SMOKE_BARE_BASE=1: a base without nodejs/restic/rclone, so the build installs them with
# apt-get (needs a Debian mirror from inside the build) as it would on debian:trixie-slim.
if [ "${SMOKE_BARE_BASE:-0}" = 1 ]; then
  BASE=localhost/restic-monitor-smoke-base:trixie-bare
  include=()
else
  BASE=localhost/restic-monitor-smoke-base:trixie-tini
  include=(--include=nodejs,restic,rclone,ca-certificates,tini)
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
  # debootstrap leaves apt's lists and the .debs it installed; Debian's images have neither.
  rm -rf "$state/rootfs"/var/cache/apt/archives/*.deb "$state/rootfs"/var/lib/apt/lists/*
  tar -C "$state/rootfs" -c . | podman import - "$BASE" >/dev/null 2>&1
  rm -rf "$state/rootfs"
fi

start=$(date +%s)
podman build --quiet --format docker --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f Containerfile . >"$state/build.log" 2>&1 \
  || { cat "$state/build.log" >&2; fail "podman build"; }
say "built $IMAGE in $(( $(date +%s) - start )) s ($(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
leftovers=$(podman run --rm --no-healthcheck --network=none --user 0 --entrypoint sh "$IMAGE" -c \
  'find /var/lib/apt/lists /var/cache/apt -type f \( -name "*.deb" -o -name "*.bin" -o -name "*_Packages*" \) | wc -l')
[ "$leftovers" = 0 ] || fail "$leftovers of apt's lists, caches or .debs are left in the image"

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
chmod 0600 "$work/env"
chmod a+r "$work/config.yaml"
# The env file as docs/deployment.md hands it over with podman: a secret for uid 10001 only.
podman secret rm restic-monitor-smoke-env >/dev/null 2>&1 || true
podman secret create restic-monitor-smoke-env "$work/env" >/dev/null
set +e
out=$(podman run --rm --no-healthcheck --network=none \
  -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" \
  --secret restic-monitor-smoke-env,target=restic-monitor-env,uid=10001,mode=0400 \
  -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env \
  "$IMAGE" status --json 2>"$work/stderr")
code=$?
set -e
[ $code -eq 0 ] || { cat "$work/stderr" >&2; echo "$out" >&2; fail "status exited $code"; }
status=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.map((x) => `${x.name}=${x.status} (${x.message})`).join(" "))' "$out")
case $status in mounted=up*) ;; *) fail "status: $status";; esac
grep -q "$password" <<<"$out$(cat "$work/stderr")" && fail "the password shows in the output"
say "status in the container: $status"

# The image's HEALTHCHECK against the daemon, its env file this time a bind mount of a file
# that uid 10001 owns (docs/deployment.md's route for Docker).
podman rm -f restic-monitor-smoke >/dev/null 2>&1 || true
what=daemon
printf 'listen: 0.0.0.0:9469\nrepositories:\n  mounted:\n    url: /repo\n    max_age: 1h\n' >"$work/config.yaml"
cp "$work/env" "$work/container.env"
chown 10001 "$work/container.env"
chmod 0400 "$work/container.env"
podman run -d --name restic-monitor-smoke --network=none \
  -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" -v "$work/container.env:/run/secrets/restic-monitor-env:ro" \
  -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env "$IMAGE" >/dev/null 2>&1
healthy=no
for _ in $(seq 30); do
  if podman healthcheck run restic-monitor-smoke >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 1
done
logs=$(podman logs restic-monitor-smoke 2>&1 | tail -n 5)
podman rm -f -t 2 restic-monitor-smoke >/dev/null 2>&1
[ $healthy = yes ] || fail "HEALTHCHECK never passed ($what); the log ends:"$'\n'"$logs"
say "HEALTHCHECK passes: $what"

# Zombies: a check that times out is killed with everything restic started; the grandchild
# in a session of its own (as restic starts rclone) is then an orphan, handed to PID 1. tini
# reaps it. The same check under node as PID 1 (--entrypoint, no tini) shows the check sees
# the zombie it is looking for.
printf 'listen: 0.0.0.0:9469\ndefaults:\n  interval: 1h\nrepositories:\n  stuck:\n    url: /repo\n    timeout: 1s\n' >"$work/config.yaml"
zombies_after_killed_check() { # extra podman run options...
  podman rm -f restic-monitor-zombie >/dev/null 2>&1 || true
  podman run -d --name restic-monitor-zombie --no-healthcheck --network=none "$@" \
    -v "$PWD/test/fixtures:/fixtures:ro" -v "$work/config.yaml:/config/config.yaml:ro" \
    -e RESTIC_MONITOR_RESTIC=/fixtures/restic-hang "$IMAGE" daemon >/dev/null 2>&1
  local killed=no
  for _ in $(seq 60); do
    if podman logs restic-monitor-zombie 2>&1 | grep -q 'check failed: timed out after 1s'; then killed=yes; break; fi
    sleep 0.5
  done
  [ $killed = yes ] || { podman logs restic-monitor-zombie >&2; podman rm -f -t 0 restic-monitor-zombie >/dev/null; fail "the check never timed out"; }
  sleep 3 # the kill's grace period and the pipes' drain
  podman exec restic-monitor-zombie node -e '
    const fs = require("node:fs");
    const states = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map((p) => { try { const s = fs.readFileSync(`/proc/${p}/stat`, "utf8"); return s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3); } catch { return ""; } });
    console.log(states.filter((s) => s === "Z").length);'
  podman rm -f -t 2 restic-monitor-zombie >/dev/null 2>&1
}
with_tini=$(zombies_after_killed_check)
[ "$with_tini" = 0 ] || fail "$with_tini zombie process(es) left after a killed check, with tini as PID 1"
without_tini=$(zombies_after_killed_check --entrypoint restic-monitor)
[ "$without_tini" -ge 1 ] || fail "control: node as PID 1 left no zombie, so the check cannot see them ($without_tini)"
say "a killed check leaves no zombie with tini as PID 1 (node as PID 1: $without_tini)"
podman secret rm restic-monitor-smoke-env >/dev/null 2>&1 || true
say "passed"
