#!/usr/bin/env bash
# The units in systemd/ under a real systemd: a Debian 13 container (podman, systemd as PID 1)
# gets the bundle, a restic repository, a stand-in Uptime Kuma, the config and the env file;
# then restic-monitor.service runs with all its hardening and must push "up". The daemon
# unit must not restart after exit code 2. One command, a few minutes the first time:
#   bash .ci/systemd-smoke.sh
# SMOKE_BUNDLE=DIR runs a bundle other than the committed one (`node scripts/bundle.mjs DIR`).
# Where systemd cannot hand out credentials (some sandboxes leave $CREDENTIALS_DIRECTORY
# empty), the script says so and runs the same units with the two files read from /etc.
# .ci/run runs it beside the test suite; the image is made once and kept in podman's storage
# (`podman rmi` it to remake it).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/restic-monitor-systemd-smoke:trixie
# A name of this run's own: two checkouts may run the smoke at once on one machine.
NAME=restic-monitor-systemd-smoke-$$
state=${SMOKE_DIR:-/var/tmp/restic-monitor-smoke}
bundle=$(cd "${SMOKE_BUNDLE:-bundle}" && pwd)
mkdir -p "$state"
say() { echo "systemd-smoke: $*"; }
fail() { echo "systemd-smoke: FAILED: $*" >&2; exit 1; }
started=$SECONDS

bash scripts/ensure-deps.sh podman runc debootstrap
# Written aside, then renamed: another run may be reading it.
cat >"$state/containers.conf.$$" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
mv -f "$state/containers.conf.$$" "$state/containers.conf"
export CONTAINERS_CONF="$state/containers.conf"

# One maker of the image at a time; a second run waits for it and then uses it.
exec 9>"$state/sd-image.lock"
flock 9
if ! podman image exists "$IMAGE"; then
  say "making a Debian 13 image with systemd (once; a few minutes)"
  rootfs="$state/sd-rootfs-$$"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,nodejs,restic,ca-certificates trixie "$rootfs" "$(bash scripts/debian-mirror.sh)" \
    >"$state/sd-debootstrap.log" 2>&1 || { rm -rf "$rootfs"; fail "debootstrap, see $state/sd-debootstrap.log"; }
  tar -C "$rootfs" -c . | podman import - "$IMAGE" >/dev/null 2>&1
  rm -rf "$rootfs"
  say "image made ($((SECONDS - started)) s)"
fi
flock -u 9

podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
podman run -d --name "$NAME" --privileged --systemd=always -v "$PWD:/src:ro" -v "$bundle:/bundle:ro" "$IMAGE" /sbin/init >/dev/null
trap 'podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true' EXIT
inside() { podman exec "$NAME" bash -c "$1"; }
for _ in $(seq 30); do
  state_now=$(inside 'systemctl is-system-running 2>/dev/null || true')
  case $state_now in running|degraded) break;; esac
  sleep 1
done

password="pw-canary-$RANDOM$RANDOM"
token="token-canary-$RANDOM$RANDOM"
inside "set -e
  install -d /usr/local/lib/restic-monitor && cp -r /bundle/. /usr/local/lib/restic-monitor/
  ln -sf /usr/local/lib/restic-monitor/restic-monitor.mjs /usr/local/bin/restic-monitor
  export RESTIC_PASSWORD=$password
  restic -q -r /srv/restic/repo init && restic -q -r /srv/restic/repo backup --host smoke /etc/hostname
  chmod -R a+rX /srv/restic
  # As docs/deployment.md says: the daemon's user (and group) may read the config, not the env.
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin restic-monitor
  install -d -m 0750 -g restic-monitor /etc/restic-monitor
  printf 'defaults:\n  max_age: 1h\n  push_url: http://127.0.0.1:8089/api/push/\nrepositories:\n  local:\n    url: /srv/restic/repo\n    reader: restic\n    push_token: \"\${TOKEN}\"\n' >/etc/restic-monitor/config.yaml
  printf 'RESTIC_PASSWORD=$password\nTOKEN=$token\n' >/etc/restic-monitor/env
  chmod 0600 /etc/restic-monitor/env
  chgrp restic-monitor /etc/restic-monitor/config.yaml && chmod 0640 /etc/restic-monitor/config.yaml
  cp /src/systemd/restic-monitor.service /src/systemd/restic-monitor.timer /src/systemd/restic-monitor-daemon.service /etc/systemd/system/"
podman exec -d "$NAME" node -e "require('node:http').createServer((q, s) => { require('node:fs').appendFileSync('/tmp/pushes', q.url + '\n'); s.setHeader('content-type', 'application/json'); s.end('{\"ok\":true}'); }).listen(8089, '127.0.0.1')" >/dev/null

credentials=$(inside "systemd-run --wait --pipe -q -p LoadCredential=probe:/etc/hostname sh -c 'cat \"\$CREDENTIALS_DIRECTORY/probe\"' 2>/dev/null || true")
if [ -n "$credentials" ]; then
  say "systemd hands out credentials here: the units run as shipped"
else
  say "this systemd cannot hand out credentials here (empty \$CREDENTIALS_DIRECTORY); the units run with the files read from /etc instead"
  inside "set -e
    # The env file must then be readable by the services' user; the config stays group-only.
    chgrp restic-monitor /etc/restic-monitor/env; chmod 0640 /etc/restic-monitor/env
    for unit in restic-monitor.service restic-monitor-daemon.service; do
      sed -i -e '/^LoadCredential=/d' -e 's|--config %d/config.yaml|--config /etc/restic-monitor/config.yaml|' -e 's|--environment-file env|--environment-file /etc/restic-monitor/env|' /etc/systemd/system/\$unit
    done"
fi
inside 'systemctl daemon-reload'

inside 'systemctl start restic-monitor.service' || { inside 'journalctl -u restic-monitor.service --no-pager | tail -n 20' >&2; fail "restic-monitor.service failed"; }
pushes=$(inside 'cat /tmp/pushes 2>/dev/null || true')
case $pushes in "/api/push/$token?status=up&"*) ;; *) inside 'journalctl -u restic-monitor.service --no-pager | tail -n 20' >&2; fail "no up push arrived (got: $pushes)";; esac
say "restic-monitor.service ran with its hardening and pushed: ${pushes/$token/***}"
journal=$(inside 'journalctl -u restic-monitor.service --no-pager')
grep -q -e "$password" -e "$token" <<<"$journal" && fail "a secret shows in the journal"
shown=$(inside 'systemctl show restic-monitor.service')
grep -q -e "$password" -e "$token" <<<"$shown" && fail "a secret shows in systemctl show"
# restic itself ran (the repository says `reader: restic`): the built-in reader keeps no cache.
inside 'test -e /var/cache/restic-monitor/CACHEDIR.TAG' || fail "restic's cache is not in /var/cache/restic-monitor"
say "no secret in the journal or systemctl show; restic's cache is in /var/cache/restic-monitor"
say "exposure: $(inside 'systemd-analyze security restic-monitor.service 2>/dev/null | tail -n 1')"

# The daemon unit: whatever the daemon does, a config or usage error (exit 2) must not loop.
inside 'systemctl start restic-monitor-daemon.service' || true
sleep 3
if inside 'restic-monitor --help | grep -q "^  daemon"'; then
  active=$(inside 'systemctl is-active restic-monitor-daemon.service || true')
  [ "$active" = active ] || { inside 'journalctl -u restic-monitor-daemon.service --no-pager | tail -n 20' >&2; fail "the daemon is $active"; }
  say "restic-monitor-daemon.service is active"
  # systemctl reload: SIGHUP, and the daemon reads the edited file from /etc.
  inside "printf '  second:\\n    url: /srv/restic/repo\\n' >>/etc/restic-monitor/config.yaml && systemctl reload restic-monitor-daemon.service"
  reloaded=no
  for _ in $(seq 20); do
    if inside 'journalctl -u restic-monitor-daemon.service --no-pager -o cat' | grep -q '"checks":2,.*"msg":"config reloaded"'; then reloaded=yes; break; fi
    sleep 0.5
  done
  [ $reloaded = yes ] || { inside 'journalctl -u restic-monitor-daemon.service --no-pager | tail -n 20' >&2; fail "systemctl reload did not reload the config"; }
  [ "$(inside 'systemctl is-active restic-monitor-daemon.service || true')" = active ] || fail "the daemon did not survive the reload"
  say "systemctl reload: the daemon re-read /etc/restic-monitor/config.yaml (2 repositories now)"
  # Type=notify: `systemctl start` returns once the daemon said READY=1, so a reload right
  # after it finds SIGHUP handled. Under Type=exec the start returned at exec() and the SIGHUP
  # found Node still starting: the daemon died.
  [ "$(inside 'systemctl show -p Type --value restic-monitor-daemon.service')" = notify ] || fail "the daemon unit is not Type=notify"
  for round in 1 2 3; do
    inside 'systemctl stop restic-monitor-daemon.service'
    inside 'systemctl start restic-monitor-daemon.service && systemctl reload restic-monitor-daemon.service' \
      || { inside 'journalctl -u restic-monitor-daemon.service --no-pager | tail -n 20' >&2; fail "a reload right after the start failed (round $round)"; }
    inside 'systemctl is-active restic-monitor-daemon.service' >/dev/null \
      || { inside 'journalctl -u restic-monitor-daemon.service --no-pager | tail -n 20' >&2; fail "the daemon did not survive a reload right after its start (round $round)"; }
  done
  [ "$(inside 'systemctl show -p NRestarts --value restic-monitor-daemon.service')" = 0 ] || fail "the daemon was restarted"
  inside 'journalctl -u restic-monitor-daemon.service --no-pager -o cat' | grep -q 'could not tell systemd' && fail "READY=1 could not be sent"
  say "Type=notify: three reloads sent right after a start, the daemon running after each"
else
  restarts=$(inside 'systemctl show -p NRestarts --value restic-monitor-daemon.service')
  status=$(inside 'systemctl show -p ExecMainStatus --value restic-monitor-daemon.service')
  [ "$status" = 2 ] && [ "$restarts" = 0 ] || fail "daemon unit: exit status $status, $restarts restarts"
  say "daemon unit: no daemon command in this bundle yet; it exited 2 and was not restarted"
fi
say "passed in $((SECONDS - started)) s"
