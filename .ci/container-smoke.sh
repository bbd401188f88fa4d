#!/usr/bin/env bash
# A real build and run of the Containerfile with podman, offline: the base image is made
# locally with debootstrap (Debian 13 with nodejs, restic, rclone, tini) from this machine's
# own Debian mirror, then the image answers --version, runs `status` against a restic
# repository mounted into it with its password from an env file handed over as
# docs/deployment.md says (a podman secret for uid 10001, and a bind mount of a file that uid
# owns), passes its HEALTHCHECK, runs the pods of the Kubernetes manifests as a kubelet would
# (read-only root, uid 10001, their volumes), and leaves no zombie behind a check it killed
# (tini is PID 1; without it the same check leaves one). It prints the image's size and what
# each step took.
# .ci/run runs it beside the test suite. The base image is made once and kept in podman's
# storage (the first run, a few minutes; then about a minute): `podman rmi` it to remake it.
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
# The package list names the cached base: a changed list makes a new one.
BASE=$BASE-$(printf '%s' "${include[*]}" | cksum | cut -d' ' -f1)
# Names of this run's own: two checkouts may run the smoke at once on one machine.
run_id=$$
IMAGE=localhost/restic-monitor:smoke-$run_id
SECRET=restic-monitor-smoke-env-$run_id
state=${SMOKE_DIR:-/var/tmp/restic-monitor-smoke}
mkdir -p "$state"
say() { echo "container-smoke: $*"; }
fail() { echo "container-smoke: FAILED: $*" >&2; exit 1; }
started=$SECONDS
lap=$SECONDS
took() { say "$1 ($((SECONDS - lap)) s)"; lap=$SECONDS; }

bash scripts/ensure-deps.sh podman runc debootstrap restic
# The Kubernetes step reads the manifests with the yaml package (.ci/run has run npm ci already).
[ -d node_modules/yaml ] || npm ci --no-audit --no-fund

# No container engine daemon here: podman with runc and explicit ulimits works (FACTS.md).
# Written aside, then renamed: another run may be reading it.
cat >"$state/containers.conf.$$" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
mv -f "$state/containers.conf.$$" "$state/containers.conf"
export CONTAINERS_CONF="$state/containers.conf"

cleanup() {
  ! declare -F guide_cleanup >/dev/null || guide_cleanup
  podman rm -f -t 0 "restic-monitor-smoke-$run_id" "restic-monitor-zombie-$run_id" >/dev/null 2>&1 || true
  podman secret rm "$SECRET" >/dev/null 2>&1 || true
  podman rmi "$IMAGE" >/dev/null 2>&1 || true
  [ -z "${work:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# One maker of the base at a time; a second run waits for it and then uses it.
exec 9>"$state/base.lock"
flock 9
if ! podman image exists "$BASE"; then
  mirror=$(bash scripts/debian-mirror.sh)
  say "making the base image $BASE with debootstrap (once; a few minutes)"
  rootfs="$state/rootfs-$run_id"
  rm -rf "$rootfs"
  debootstrap --variant=minbase "${include[@]}" trixie "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 \
    || { rm -rf "$rootfs"; fail "debootstrap failed, see $state/debootstrap.log"; }
  # debootstrap leaves apt's lists and the .debs it installed; Debian's images have neither.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import - "$BASE" >/dev/null 2>&1
  rm -rf "$rootfs"
  took "base image made"
fi
flock -u 9

podman build --quiet --format docker --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" -f Containerfile . >"$state/build.log" 2>&1 \
  || { cat "$state/build.log" >&2; fail "podman build"; }
took "built $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
leftovers=$(podman run --rm --no-healthcheck --network=none --user 0 --entrypoint sh "$IMAGE" -c \
  'find /var/lib/apt/lists /var/cache/apt -type f \( -name "*.deb" -o -name "*.bin" -o -name "*_Packages*" \) | wc -l')
[ "$leftovers" = 0 ] || fail "$leftovers of apt's lists, caches or .debs are left in the image"

version=$(podman run --rm --no-healthcheck --network=none "$IMAGE" --version)
expected="restic-monitor $(node -p 'require("./package.json").version')"
[ "$version" = "$expected" ] || fail "--version printed \"$version\", expected \"$expected\""
say "--version: $version"
user=$(podman run --rm --no-healthcheck --network=none --entrypoint id "$IMAGE" -u)
[ "$user" != 0 ] || fail "the image runs as root"
took "runs as uid $user"

# A real repository with one snapshot, mounted read-only; the password only in the env file.
work=$(mktemp -d)
password="smoke-$(date +%s%N)"
RESTIC_PASSWORD=$password restic -q -r "$work/repo" init
RESTIC_PASSWORD=$password restic -q -r "$work/repo" backup --host smoke .containerignore
chmod -R a+rX "$work/repo"
printf 'repositories:\n  mounted:\n    url: /repo\n    max_age: 1h\n' >"$work/config.yaml"
printf 'RESTIC_PASSWORD=%s\n' "$password" >"$work/env"
chmod 0600 "$work/env"
chmod a+r "$work/config.yaml"
# The env file as docs/deployment.md hands it over with podman: a secret for uid 10001 only.
podman secret rm "$SECRET" >/dev/null 2>&1 || true
podman secret create "$SECRET" "$work/env" >/dev/null
set +e
out=$(podman run --rm --no-healthcheck --network=none \
  -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" \
  --secret "$SECRET",target=restic-monitor-env,uid=10001,mode=0400 \
  -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env \
  "$IMAGE" status --json 2>"$work/stderr")
code=$?
set -e
[ $code -eq 0 ] || { cat "$work/stderr" >&2; echo "$out" >&2; fail "status exited $code"; }
status=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.map((x) => `${x.name}=${x.status} (${x.message})`).join(" "))' "$out")
case $status in mounted=up*) ;; *) fail "status: $status";; esac
grep -q "$password" <<<"$out$(cat "$work/stderr")" && fail "the password shows in the output"
took "status in the container: $status"

# The image's HEALTHCHECK against the daemon, its env file this time a bind mount of a file
# that uid 10001 owns (docs/deployment.md's route for Docker).
podman rm -f "restic-monitor-smoke-$run_id" >/dev/null 2>&1 || true
what=daemon
printf 'listen: 0.0.0.0:9469\nrepositories:\n  mounted:\n    url: /repo\n    max_age: 1h\n' >"$work/config.yaml"
cp "$work/env" "$work/container.env"
chown 10001 "$work/container.env"
chmod 0400 "$work/container.env"
podman run -d --name "restic-monitor-smoke-$run_id" --network=none \
  -v "$work/repo:/repo:ro" -v "$work/config.yaml:/config/config.yaml:ro" -v "$work/container.env:/run/secrets/restic-monitor-env:ro" \
  -e RESTIC_MONITOR_ENV_FILE=/run/secrets/restic-monitor-env "$IMAGE" >/dev/null 2>&1
healthy=no
for _ in $(seq 30); do
  if podman healthcheck run "restic-monitor-smoke-$run_id" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 1
done
logs=$(podman logs "restic-monitor-smoke-$run_id" 2>&1 | tail -n 5)
podman rm -f -t 2 "restic-monitor-smoke-$run_id" >/dev/null 2>&1
[ $healthy = yes ] || fail "HEALTHCHECK never passed ($what); the log ends:"$'\n'"$logs"
took "HEALTHCHECK passes: $what"

# The Kubernetes pods (deploy/kubernetes), as a kubelet would run them on this image
# (.ci/kubernetes-pod.mjs translates each manifest's pod): uid 10001 with a read-only root
# reads the Secret's env file through its fsGroup, writes restic's cache into its emptyDir,
# answers the liveness probe, reloads on `kill -HUP 1`, and stops within
# terminationGracePeriodSeconds; the CronJob's
# `run` exits 0. An rclone remote with `reader: restic`: restic runs and uses its cache.
kube_pod() { # deployment|cronjob -> $kube/<kind>/pod.{args,cmd,json}
  mkdir -p "$kube/$1"
  node .ci/kubernetes-pod.mjs "$1" "$kube/$1" "$IMAGE" "$kube/repositories.yaml" "$kube/env" || fail "kubernetes-pod.mjs $1"
  mapfile -t pod_args <"$kube/$1/pod.args"
  mapfile -t pod_cmd <"$kube/$1/pod.cmd"
}
pod_fact() { node -p "const pod = require('$kube/$1/pod.json'); $2"; }
kube=$work/kubernetes
mkdir -p "$kube"
printf 'repositories:\n  remote:\n    url: "rclone:loc:/repo"\n    reader: restic\n    max_age: 1h\n' >"$kube/repositories.yaml"
printf 'RESTIC_PASSWORD=%s\nRCLONE_CONFIG_LOC_TYPE=local\n' "$password" >"$kube/env"
kube_pod deployment
podman rm -f "restic-monitor-smoke-$run_id" >/dev/null 2>&1 || true
podman run -d --name "restic-monitor-smoke-$run_id" "${pod_args[@]}" -v "$work/repo:/repo:ro" "${pod_cmd[@]}" >/dev/null
probe="http://127.0.0.1:$(pod_fact deployment pod.probe.port)$(pod_fact deployment pod.probe.path)"
status=""
for _ in $(seq 60); do
  status=$(podman exec "restic-monitor-smoke-$run_id" node -e "
    fetch('$probe').then(async (r) => { if (!r.ok) process.exit(1); const s = await (await fetch(new URL('/status', '$probe'))).json(); if (s.length === 0) process.exit(1); console.log(s.map((x) => x.name + '=' + x.status + ' (' + x.message + ')').join(' ')); }, () => process.exit(1))" 2>/dev/null) && break
  sleep 0.5
done
logs=$(podman logs "restic-monitor-smoke-$run_id" 2>&1)
case $status in remote=up*) ;; *) podman rm -f -t 0 "restic-monitor-smoke-$run_id" >/dev/null 2>&1; fail "the Deployment's pod: $probe and /status gave \"$status\"; the log ends:"$'\n'"$(tail -n 5 <<<"$logs")";; esac
[ -e "$(pod_fact deployment "pod.mounts['/var/cache/restic-monitor']")/CACHEDIR.TAG" ] || fail "the Deployment's pod: restic's cache is not in its emptyDir"
# docs/kubernetes.md's reload in place: the ConfigMap's file changes (as the kubelet changes
# it), then `kubectl exec ... -- sh -c 'kill -HUP 1'`; tini, PID 1, hands SIGHUP on.
printf '  second:\n    url: /repo\n    max_age: 1h\n' >>"$(pod_fact deployment "pod.mounts['/config']")/config.yaml"
podman exec "restic-monitor-smoke-$run_id" sh -c 'kill -HUP 1'
reloaded=no
for _ in $(seq 40); do
  if podman logs "restic-monitor-smoke-$run_id" 2>&1 | grep -q '"checks":2,.*"msg":"config reloaded"'; then reloaded=yes; break; fi
  sleep 0.5
done
[ $reloaded = yes ] || fail "the Deployment's pod: kill -HUP 1 did not reload the changed config"
grace=$(pod_fact deployment pod.grace)
stop_started=$SECONDS
podman stop -t "$grace" "restic-monitor-smoke-$run_id" >/dev/null
code=$(podman inspect --format '{{.State.ExitCode}}' "restic-monitor-smoke-$run_id")
logs=$(podman logs "restic-monitor-smoke-$run_id" 2>&1)
podman rm -f -t 0 "restic-monitor-smoke-$run_id" >/dev/null 2>&1
[ "$code" = 0 ] || fail "the Deployment's pod: SIGTERM, then exit $code within terminationGracePeriodSeconds ($grace s)"
grep -q "$password" <<<"$logs" && fail "the Deployment's pod: the password shows in its log"
took "the Deployment's pod on this image: $probe answers, $status, restic's cache in its emptyDir, kill -HUP 1 reloads, SIGTERM to exit 0 in $((SECONDS - stop_started)) s (grace $grace s)"
kube_pod cronjob
out=$(podman run --rm "${pod_args[@]}" -v "$work/repo:/repo:ro" "${pod_cmd[@]}" 2>&1) || fail "the CronJob's pod (${pod_cmd[*]}) failed:"$'\n'"$out"
[ -e "$(pod_fact cronjob "pod.mounts['/var/cache/restic-monitor']")/CACHEDIR.TAG" ] || fail "the CronJob's pod: restic's cache is not in its emptyDir"
took "the CronJob's pod on this image: ${pod_cmd[*]:1} exits 0"

# Zombies: a check that times out is killed with everything restic started; the grandchild
# in a session of its own (as restic starts rclone) is then an orphan, handed to PID 1. tini
# reaps it. The same check under node as PID 1 (--entrypoint, no tini) shows the check sees
# the zombie it is looking for. `reader: restic`: the built-in reader serves a local path
# without spawning anything, so the hanging restic would never run.
printf 'listen: 0.0.0.0:9469\ndefaults:\n  interval: 1h\nrepositories:\n  stuck:\n    url: /repo\n    reader: restic\n    timeout: 1s\n' >"$work/config.yaml"
zombies_after_killed_check() { # extra podman run options...
  podman rm -f "restic-monitor-zombie-$run_id" >/dev/null 2>&1 || true
  podman run -d --name "restic-monitor-zombie-$run_id" --no-healthcheck --network=none "$@" \
    -v "$PWD/test/fixtures:/fixtures:ro" -v "$work/config.yaml:/config/config.yaml:ro" \
    -e RESTIC_MONITOR_RESTIC=/fixtures/restic-hang "$IMAGE" daemon >/dev/null 2>&1
  local killed=no
  for _ in $(seq 60); do
    if podman logs "restic-monitor-zombie-$run_id" 2>&1 | grep -q 'check failed: timed out after 1s'; then killed=yes; break; fi
    sleep 0.5
  done
  [ $killed = yes ] || { podman logs "restic-monitor-zombie-$run_id" >&2; podman rm -f -t 0 "restic-monitor-zombie-$run_id" >/dev/null; fail "the check never timed out"; }
  sleep 3 # the kill's grace period and the pipes' drain
  podman exec "restic-monitor-zombie-$run_id" node -e '
    const fs = require("node:fs");
    const states = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).map((p) => { try { const s = fs.readFileSync(`/proc/${p}/stat`, "utf8"); return s.slice(s.lastIndexOf(")") + 2, s.lastIndexOf(")") + 3); } catch { return ""; } });
    console.log(states.filter((s) => s === "Z").length);'
  podman rm -f -t 2 "restic-monitor-zombie-$run_id" >/dev/null 2>&1
}
with_tini=$(zombies_after_killed_check)
[ "$with_tini" = 0 ] || fail "$with_tini zombie process(es) left after a killed check, with tini as PID 1"
without_tini=$(zombies_after_killed_check --entrypoint restic-monitor)
[ "$without_tini" -ge 1 ] || fail "control: node as PID 1 left no zombie, so the check cannot see them ($without_tini)"
took "a killed check leaves no zombie with tini as PID 1 (node as PID 1: $without_tini)"
# docs/deployment.md's container guide, as pasted: the blocks marked
# <!-- doc-test: container-smoke --> run in order in a scratch directory holding what the
# build reads of a checkout (Containerfile, .containerignore, bundle/). Stood in for, by rewriting the commands: the base image (no registry here:
# the local base made above), and the names and host port, which get this run's own so
# that two runs on one machine never meet (the secret keeps its file name in the container).
guide=$(mktemp -d)
cp -r Containerfile .containerignore bundle "$guide/"
guide_port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
guide_image=localhost/restic-monitor:guide-$run_id
awk '/<!-- doc-test: container-smoke -->/ { armed = 1; next }
     armed && /^```sh/ { inside = 1; armed = 0; next }
     inside && /^```/ { inside = 0; next }
     inside { print }' docs/deployment.md \
  | sed -e "s|debian:trixie-slim|$BASE|g" \
        -e "s|-t restic-monitor |-t $guide_image |" \
        -e "s|--name restic-monitor |--name restic-monitor-guide-$run_id |" \
        -e "s|healthcheck run restic-monitor;|healthcheck run restic-monitor-guide-$run_id;|" \
        -e "s|secret create restic-monitor-env |secret create restic-monitor-guide-env-$run_id |" \
        -e "s|--secret restic-monitor-env,|--secret restic-monitor-guide-env-$run_id,target=restic-monitor-env,|g" \
        -e "s|-v restic-monitor-cache:|-v restic-monitor-guide-cache-$run_id:|" \
        -e "s|-p 127.0.0.1:9469:9469|-p 127.0.0.1:$guide_port:9469|" \
        -e "s|^  restic-monitor\$|  $guide_image|" \
        -e "s| restic-monitor validate\$| $guide_image validate|" >"$guide.sh"
[ "$(grep -c . "$guide.sh")" -ge 10 ] || fail "docs/deployment.md: found no container-smoke blocks to run"
guide_cleanup() {
  podman rm -f -t 0 "restic-monitor-guide-$run_id" >/dev/null 2>&1 || true
  podman secret rm "restic-monitor-guide-env-$run_id" >/dev/null 2>&1 || true
  podman volume rm -f "restic-monitor-guide-cache-$run_id" >/dev/null 2>&1 || true
  podman rmi "$guide_image" >/dev/null 2>&1 || true
  rm -rf "$guide" "$guide.sh"
}
set +e
guide_out=$(cd "$guide" && bash -euo pipefail "$guide.sh" 2>&1)
code=$?
set -e
[ $code -eq 0 ] || { echo "$guide_out" >&2; guide_cleanup; fail "docs/deployment.md's container guide failed as pasted (exit $code)"; }
grep -q '^healthy$' <<<"$guide_out" || { echo "$guide_out" >&2; guide_cleanup; fail "the guide's health check did not say healthy"; }
grep -q '# config OK' <<<"$guide_out" || { echo "$guide_out" >&2; guide_cleanup; fail "the guide's validate did not pass"; }
grep -q 'wJalrXUtnFEMI' <<<"$guide_out$(podman logs "restic-monitor-guide-$run_id" 2>&1)" && { guide_cleanup; fail "a secret of the guide's env file shows in its output or logs"; }
guide_cleanup
took "docs/deployment.md's container guide works as pasted (built, ran, healthy, validated)"
podman secret rm "$SECRET" >/dev/null 2>&1 || true
say "passed in $((SECONDS - started)) s"
