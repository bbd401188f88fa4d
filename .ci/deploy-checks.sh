#!/usr/bin/env bash
# Deployment checks, all offline: the committed bundle, the Nix files (parsed, and the NixOS
# module evaluated on the seed's example against stubs), the plain and the NixOS-rendered
# systemd units (systemd-analyze verify/security/calendar), the Kubernetes kustomization
# (kubectl kustomize) and the Containerfile (lint).
# The real container build and run (.ci/container-smoke.sh) and the units under a real
# systemd (.ci/systemd-smoke.sh) run beside these, from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one security score every service must keep (systemd-analyze's 0-100 scale, lower is
# better; the units score 12 today). Raise it only with a reason in the commit message.
SECURITY_THRESHOLD=15

fail() { echo "deploy-checks: $*" >&2; exit 1; }
step() { echo "deploy-checks: $*"; }

need=()
command -v nix-instantiate >/dev/null 2>&1 || need+=(nix-bin)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# Any kubectl renders a kustomization offline; Debian's (1.20) renders ours as 1.32 does.
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -d node_modules/esbuild ] && [ -d node_modules/dockerfile-utils ] || npm ci --no-audit --no-fund

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- bundle -----------------------------------------------------------------------------
bash .ci/bundle-check.sh

# --- Nix --------------------------------------------------------------------------------
# Non-root nix needs a store it can "write"; the dummy store does for parse and eval.
nix=(--store dummy://)
mapfile -t nix_files < <(git ls-files -co --exclude-standard '*.nix')
[ ${#nix_files[@]} -ge 5 ] || fail "expected the flake, package, overlay, module and checks; found ${nix_files[*]}"
for file in "${nix_files[@]}"; do
  nix-instantiate "${nix[@]}" --parse "$file" >/dev/null || fail "$file does not parse"
done
step "${#nix_files[@]} .nix files parse"
nix-instantiate "${nix[@]}" --eval --strict --json nix/checks/eval.nix >"$work/eval.json" || fail "the module does not evaluate"
node .ci/nix-module-check.mjs "$work/eval.json" "$work/nixos"
# With a copy of nixpkgs' lib at hand (nixpkgs, or nix-community/nixpkgs.lib), the same
# configurations under the real module system must give the same result as the stubs.
if [ -n "${NIXPKGS_LIB:-}" ]; then
  nix-instantiate "${nix[@]}" --eval --strict --json nix/checks/eval-real-lib.nix --arg nixpkgsLib "$NIXPKGS_LIB" >"$work/real.json" \
    || fail "the module does not evaluate under the real lib.evalModules"
  node -e '
    const [stub, real] = process.argv.slice(1).map((p) => JSON.parse(require("node:fs").readFileSync(p, "utf8")));
    delete stub.package;
    require("node:assert/strict").deepEqual(real, stub);
  ' "$work/eval.json" "$work/real.json" || fail "the stubs and the real module system disagree"
  step "the real lib.evalModules agrees with the stubs"
fi
# The module's build-time check, run as the derivation would run it (its script as the
# evaluation gives it, the package's restic-monitor on PATH, a clean environment): the
# settings rendered from the seed pass, a typo fails the build with the tool's own message.
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec node %s/bundle/restic-monitor.mjs "$@"\n' "$PWD" >"$work/bin/restic-monitor"
chmod +x "$work/bin/restic-monitor"
run_check() { env -i PATH="$work/bin:/usr/bin:/bin" out="$work/nixos/$1/out" bash -euo pipefail "$work/nixos/$1/check.sh"; }
for variant in seed daemon; do
  run_check "$variant" || fail "the module's build-time check rejects the config rendered from the $variant settings"
  [ -L "$work/nixos/$variant/out" ] || fail "the module's build-time check made no output for $variant"
done
set +e
typo_err=$(run_check typo 2>&1)
typo_code=$?
set -e
expected="restic-monitor: config error in $work/nixos/typo/config.yaml:
  repositories.web-server: unknown key \"push_tokn\" (did you mean \"push_token\"?)"
[ "$typo_code" -eq 2 ] && [ "$typo_err" = "$expected" ] \
  || fail "the build-time check let push_tokn through (exit $typo_code):"$'\n'"$typo_err"
[ ! -e "$work/nixos/typo/out" ] || fail "the build-time check made an output for a config with a typo"
step "the module's build-time check (restic-monitor validate) passes the seed and daemon settings and fails push_tokn"

# --- systemd ----------------------------------------------------------------------------
# verify needs every ExecStart binary to exist, so it runs in a root with stub programs
# and the host's unit library (targets such as network-online.target).
root="$work/root"
mkdir -p "$root/etc/systemd/system" "$root/usr/local/bin" "$root/lib/systemd"
cp -r /lib/systemd/system "$root/lib/systemd/"
store_bin=$(grep -o '^ExecStart=[^ ]*' "$work/nixos/seed/restic-monitor.service" | cut -d= -f2)
for bin in /usr/local/bin/restic-monitor /bin/sh "$store_bin"; do
  mkdir -p "$root$(dirname "$bin")"
  printf '#!/bin/sh\nexit 0\n' >"$root$bin"
  chmod +x "$root$bin"
done

check_units() { # label dir units...
  local label=$1 dir=$2 unit out
  shift 2
  rm -f "$root"/etc/systemd/system/restic-monitor*
  for unit in "$@"; do cp "$dir/$unit" "$root/etc/systemd/system/"; done
  for unit in "$@"; do
    # It exits 0 on unknown keys and bad values and only prints them: any output fails.
    out=$(cd "$root/etc/systemd/system" && systemd-analyze verify --man=no --root="$root" "$unit" 2>&1) || fail "$label $unit: verify failed: $out"
    [ -z "$out" ] || fail "$label $unit: systemd-analyze verify says:"$'\n'"$out"
    case $unit in
      *.service)
        out=$(systemd-analyze security --offline=yes --root="$root" --threshold="$SECURITY_THRESHOLD" "$unit" 2>&1) \
          || fail "$label $unit: exposure above $SECURITY_THRESHOLD:"$'\n'"$out"
        step "$label $unit: $(grep -o 'Overall exposure level.*' <<<"$out")";;
      *.timer)
        calendar=$(sed -n 's/^OnCalendar=//p' "$dir/$unit")
        systemd-analyze calendar "$calendar" >/dev/null || fail "$label $unit: OnCalendar=$calendar is not a calendar expression"
        step "$label $unit: OnCalendar=$calendar is valid";;
    esac
  done
}
check_units plain systemd restic-monitor.service restic-monitor.timer restic-monitor-daemon.service
check_units nixos-seed "$work/nixos/seed" restic-monitor.service restic-monitor.timer
check_units nixos-daemon "$work/nixos/daemon" restic-monitor.service
# The module's default interval, as documented (the seed sets its own).
default_interval=$(sed -n 's/^ *default = "\(\*-\*-\*[^"]*\)";$/\1/p' nix/module.nix)
[ "$default_interval" = "*-*-* 00,12:00:00" ] || fail "nix/module.nix: default interval is \"$default_interval\", docs say \"*-*-* 00,12:00:00\""
systemd-analyze calendar "$default_interval" >/dev/null || fail "default interval $default_interval is not valid"
for unit in systemd/*.service; do
  grep -q '^EnvironmentFile=' "$unit" && fail "$unit: secrets go through LoadCredential, not EnvironmentFile="
done
# SIGHUP must be able to re-read the daemon's config: a credential never changes while the
# unit runs, so the config is read from /etc, and `systemctl reload` sends the SIGHUP.
daemon_unit=systemd/restic-monitor-daemon.service
grep -q '^ExecStart=.* daemon --config /etc/restic-monitor/config.yaml ' "$daemon_unit" || fail "$daemon_unit: the config must be read from /etc (SIGHUP re-reads it)"
grep -q '^LoadCredential=config' "$daemon_unit" && fail "$daemon_unit: a config credential cannot be re-read on SIGHUP"
grep -q '^ExecReload=.*kill -HUP' "$daemon_unit" || fail "$daemon_unit: no ExecReload sending SIGHUP"
# A reload during start-up must wait until the daemon handles SIGHUP: systemd holds it back
# until READY=1, which the daemon sends through systemd-notify (a child: NotifyAccess=all).
grep -q '^Type=notify$' "$daemon_unit" || fail "$daemon_unit: Type=notify expected (READY=1 once SIGHUP is handled)"
grep -q '^NotifyAccess=all$' "$daemon_unit" || fail "$daemon_unit: NotifyAccess=all expected (systemd-notify is the daemon's child)"

# --- Kubernetes -------------------------------------------------------------------------
# The schemas and the project's rules are test/deploy/kubernetes*.test.ts (npm test); here the
# real kubectl renders the kustomization and makes the guide's Secret, both offline.
step "kubectl $(kubectl version --client -o json 2>/dev/null | node -e 'let t = ""; process.stdin.on("data", (c) => (t += c)).on("end", () => console.log(JSON.parse(t).clientVersion.gitVersion))')"
node .ci/kubernetes-check.mjs || fail "deploy/kubernetes: see above"

# --- Containerfile ----------------------------------------------------------------------
out=$(npx --no-install dockerfile-utils lint Containerfile 2>&1 | grep -v 'Unknown user config' || true)
[ -z "$out" ] || fail "Containerfile lint:"$'\n'"$out"
grep -q '^ARG BASE_IMAGE=' Containerfile || fail "Containerfile: the base image must be a build argument"
[ "$(grep -c '^FROM ' Containerfile)" -ge 2 ] || fail "Containerfile: expected a multi-stage build"
user=$(sed -n 's/^USER \([^:]*\).*/\1/p' Containerfile | tail -n 1)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "Containerfile: the final image must run as a non-root USER"
grep -q '^HEALTHCHECK .*healthz\|RESTIC_MONITOR_HEALTHZ' Containerfile || fail "Containerfile: no HEALTHCHECK on /healthz"
grep -q '^CMD \["daemon"\]' Containerfile || fail "Containerfile: the default command must be the daemon"
grep -q 'RESTIC_MONITOR_CONFIG=/config/config.yaml' Containerfile || fail "Containerfile: the config must be /config/config.yaml"
# PID 1 must reap orphans (Node does not); apt's lists and caches must not stay in a layer.
grep -q '^ENTRYPOINT \["tini", "--", "restic-monitor"\]' Containerfile || fail "Containerfile: tini must be PID 1 (ENTRYPOINT [\"tini\", \"--\", \"restic-monitor\"])"
grep -q 'apt-get clean; *\\$' Containerfile && grep -q 'rm -rf /var/lib/apt/lists/\* /var/cache/apt/\*.bin' Containerfile \
  || fail "Containerfile: apt's lists and caches must be removed in the step that installs"

step "Containerfile lints clean"
step "all deployment checks passed"
