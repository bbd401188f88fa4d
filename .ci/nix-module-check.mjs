#!/usr/bin/env node
// Checks what nix/module.nix makes of the seed's NixOS example (and of a daemon and a
// minimal variant), from `nix-instantiate --eval --strict --json nix/checks/eval.nix`.
// Then writes those services as unit files (the way NixOS renders serviceConfig) and the
// rendered settings as config files into OUTDIR, for systemd-analyze and `validate`.
// Usage: node .ci/nix-module-check.mjs EVAL.json OUTDIR
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [evalPath, outdir] = process.argv.slice(2);
const result = JSON.parse(readFileSync(evalPath, 'utf8'));
const STORE = '/nix/store/00000000000000000000000000000000';
const BIN = `${STORE}-restic-monitor-0.1.0/bin/restic-monitor`;
const RENDERED = `${STORE}-restic-monitor.yaml`;
// The service reads the rendered file through the derivation that checked it.
const CONFIG = `${STORE}-restic-monitor-checked.yaml`;

const HARDENING = {
  ProtectSystem: 'strict',
  ProtectHome: true,
  PrivateTmp: true,
  PrivateDevices: true,
  NoNewPrivileges: true,
  CapabilityBoundingSet: '',
  RestrictAddressFamilies: ['AF_INET', 'AF_INET6', 'AF_UNIX'],
  SystemCallFilter: ['@system-service', '~@privileged'],
  SystemCallArchitectures: 'native',
  User: 'restic-monitor',
  Group: 'restic-monitor',
  CacheDirectory: 'restic-monitor',
  StateDirectory: 'restic-monitor',
  UMask: '0077',
};

// The seed's example, unchanged: a oneshot on the given calendar, credentials by LoadCredential.
const seed = result.seed;
assert.equal(seed.service.serviceConfig.ExecStart, `${BIN} run --config ${CONFIG} --environment-file env`);
assert.deepEqual(seed.service.serviceConfig.LoadCredential, ['env:/run/secrets/restic-monitor-env']);
assert.equal(seed.service.serviceConfig.EnvironmentFile, undefined, 'secrets must not go through EnvironmentFile=');
assert.equal(seed.service.serviceConfig.Type, 'oneshot');
for (const [key, value] of Object.entries(HARDENING)) assert.deepEqual(seed.service.serviceConfig[key], value, key);
assert.deepEqual(seed.service.environment, { HOME: '/var/lib/restic-monitor', RESTIC_CACHE_DIR: '/var/cache/restic-monitor' });
assert.deepEqual(seed.service.wantedBy, [], 'the timer starts it, not boot');
assert.equal(seed.timer.timerConfig.OnCalendar, '*-*-* 06,18:00:00');
assert.deepEqual(seed.timer.wantedBy, ['timers.target']);
assert.deepEqual(seed.users.users['restic-monitor'], { description: 'restic-monitor', group: 'restic-monitor', isSystemUser: true });
assert.deepEqual(seed.users.groups, { 'restic-monitor': {} });
assert.deepEqual(seed.settings, {
  defaults: { url: 's3:https://s3.example.com/restic-{{ .Name }}', push_url: 'https://uptime-kuma.example.com/api/push/' },
  repositories: {
    'web-server': { push_token: 'yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6' },
    'db-server': { push_token: 'ap2F52Qjmup9dxyPcWa1eNt125AukcrV', max_age: '6h' },
  },
});

// The config the service reads is built by running the package's own validate on the
// rendered file; the file itself becomes the output only if that passes.
for (const name of ['seed', 'daemon', 'minimal', 'typo']) {
  const check = result[name].check;
  assert.equal(check?.name, 'restic-monitor-checked.yaml', `${name}: no build-time check`);
  assert.deepEqual(check.nativeBuildInputs, [`${STORE}-restic-monitor-0.1.0`], `${name}: the check must use the package itself`);
  assert.match(check.script, new RegExp(`^restic-monitor validate --config ${RENDERED} >/dev/null\\nln -s ${RENDERED} \\$out\\n$`, 'm'), name);
}
assert.match(result.daemon.check.script, /^export RESTIC_MONITOR_FAST=true$/m, 'fast = true is checked as it runs');
assert.doesNotMatch(result.seed.check.script, /RESTIC_MONITOR_FAST/);
assert.equal(result.typo.service.serviceConfig.ExecStart, `${BIN} run --config ${CONFIG}`);
// checkConfig = false: the rendered file as it is.
assert.equal(result.unchecked.check, null);
assert.equal(result.unchecked.service.serviceConfig.ExecStart, `${BIN} run --config ${RENDERED}`);

// Daemon mode: started at boot, restarted on failure but not for a config error; no timer.
const daemon = result.daemon;
assert.equal(daemon.service.serviceConfig.ExecStart, `${BIN} daemon --config ${CONFIG}`);
// Started once it says READY=1 (systemd-notify, a child of the daemon: NotifyAccess=all).
assert.equal(daemon.service.serviceConfig.Type, 'notify');
assert.equal(daemon.service.serviceConfig.NotifyAccess, 'all');
assert.equal(seed.service.serviceConfig.NotifyAccess, undefined, 'a oneshot sends no READY=1');
assert.deepEqual(daemon.service.wantedBy, ['multi-user.target']);
assert.equal(daemon.service.serviceConfig.RestartPreventExitStatus, 2);
assert.deepEqual(daemon.service.serviceConfig.LoadCredential, []);
assert.equal(daemon.service.environment.RESTIC_MONITOR_FAST, 'true');
assert.equal(daemon.timer, null);
for (const [key, value] of Object.entries(HARDENING)) assert.deepEqual(daemon.service.serviceConfig[key], value, key);

// Defaults: twice a day, no env file, not fast.
const minimal = result.minimal;
assert.equal(minimal.timer.timerConfig.OnCalendar, '*-*-* 00,12:00:00');
assert.equal(minimal.service.serviceConfig.ExecStart, `${BIN} run --config ${CONFIG}`);
assert.equal(minimal.service.environment.RESTIC_MONITOR_FAST, undefined);

assert.deepEqual(result.disabled, { service: null, timer: null, users: null, settings: {}, check: null });
assert.deepEqual(result.rejected, {
  unknownOption: true,
  badMode: true,
  storePathEnvironmentFile: true,
  relativeEnvironmentFile: true,
  functionInSettings: true,
});
assert.equal(result.package.out, `${STORE}-restic-monitor-0.1.0`);
assert.equal(result.package.mainProgram, 'restic-monitor');
assert.match(result.package.installPhase, /makeWrapper \S+-nodejs-20\/bin\/node \$out\/bin\/restic-monitor/);
assert.match(result.package.installPhase, /--prefix PATH : \S+-restic\/bin:\S+-rclone\/bin/);

// NixOS writes a list as one line per element and booleans as true/false.
function line(key, value) {
  if (Array.isArray(value)) return value.map((item) => line(key, item)).join('');
  return `${key}=${typeof value === 'boolean' ? String(value) : value}\n`;
}
function renderService(service) {
  let text = `[Unit]\nDescription=${service.description}\n`;
  text += line('After', service.after) + line('Wants', service.wants);
  text += '\n[Service]\n';
  for (const [key, value] of Object.entries(service.environment)) text += `Environment="${key}=${value}"\n`;
  for (const [key, value] of Object.entries(service.serviceConfig)) text += line(key, value);
  return text;
}
function renderTimer(timer) {
  let text = `[Unit]\nDescription=${timer.description}\n\n[Timer]\n`;
  for (const [key, value] of Object.entries(timer.timerConfig)) text += line(key, value);
  return text;
}

for (const name of ['seed', 'daemon', 'typo']) {
  const dir = join(outdir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'restic-monitor.service'), renderService(result[name].service));
  if (result[name].timer) writeFileSync(join(dir, 'restic-monitor.timer'), renderTimer(result[name].timer));
  // JSON is YAML: the settings as the module renders them, for `restic-monitor validate`.
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(result[name].settings, null, 2));
  // The check derivation's script, pointed at that file: .ci/deploy-checks.sh runs it.
  writeFileSync(join(dir, 'check.sh'), result[name].check.script.replaceAll(RENDERED, join(dir, 'config.yaml')));
}
console.log('nix-module-check: the seed example, daemon and minimal variants evaluate as expected');
