import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { logLines, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { CLEAN_STOP_BOUND_MS } from '../../src/cli/signals.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

let receiver: PushReceiver;
let freshUrl: string;
let staleUrl: string;
const TOKENS = ['tok-swap-5678', 'tok-a-5678', 'tok-b-5678'];

before(async () => {
  const dir = await tempDir('rm-daemon-repos-');
  [freshUrl, staleUrl] = await Promise.all([
    makeRepository(join(dir, 'fresh'), [{ time: resticTime(60_000) }]),
    makeRepository(join(dir, 'stale'), [{ time: '2020-01-01 00:00:00' }]),
  ]);
  receiver = await startPushReceiver(TOKENS);
});
after(() => receiver.close());

const beatsOf = (token: string) => receiver.beats.filter((beat) => beat.token === token);

function configText(repositories: Record<string, { url: string; token: string }>, extra = ''): string {
  const lines = ['listen: 127.0.0.1:0', 'concurrency: 2', 'defaults:', '  interval: 1s', '  max_age: 1h', `  push_url: ${receiver.pushUrl}`, '  extra_env:', `    RESTIC_PASSWORD: ${PASSWORD}`, extra, 'repositories:'];
  for (const [name, { url, token }] of Object.entries(repositories)) lines.push(`  ${name}:`, `    url: ${url}`, `    push_token: ${token}`);
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

async function metrics(url: string) {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheus(await response.text());
}

test('the daemon checks again and again, pushes every time, and a repository gone stale turns down on the next cycle', async () => {
  const dir = await tempDir('rm-daemon-swap-');
  // The repository path is a symlink, so it can be switched to another repository atomically.
  const live = join(dir, 'repo');
  await symlink(freshUrl, live);
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText({ swap: { url: live, token: 'tok-swap-5678' } }));
  const daemon = await startDaemon(['-c', config]);
  try {
    await waitFor('three up beats', () => beatsOf('tok-swap-5678').filter((beat) => beat.status === 'up').length >= 3);
    let families = await metrics(daemon.url);
    const labels = { check: 'swap', repository: 'swap', mode: 'restic' };
    assert.equal(sampleValue(families, 'restic_monitor_up', labels), 1);
    assert.ok(sampleValue(families, 'restic_monitor_checks_total', labels) >= 3);

    // The backups stop: the repository is now one whose newest snapshot is from 2020.
    await symlink(staleUrl, join(dir, 'next'));
    await rename(join(dir, 'next'), live);
    // A check running across the switch may fail half-way; the next one must find it stale.
    await waitFor('a stale beat', () => beatsOf('tok-swap-5678').some((beat) => beat.status === 'down' && beat.msg.startsWith('stale:')));
    const down = beatsOf('tok-swap-5678').find((beat) => beat.msg.startsWith('stale:'))!;
    assert.match(down.msg, /^stale: latest snapshot \d+d(\d+h)? ago \(max 1h\)$/);
    families = await metrics(daemon.url);
    assert.equal(sampleValue(families, 'restic_monitor_up', labels), 0);
    assert.equal(sampleValue(families, 'restic_monitor_latest_snapshot_timestamp_seconds', labels), Date.parse('2020-01-01T00:00:00Z') / 1000);
    assert.equal(sampleValue(families, 'restic_monitor_push_failures_total', labels), 0);
    const health = await fetch(`${daemon.url}/healthz`);
    assert.equal(health.status, 200);
    const status = (await (await fetch(`${daemon.url}/status`)).json()) as Array<{ name: string; status: string }>;
    assert.deepEqual(status.map((entry) => [entry.name, entry.status]), [['swap', 'down']]);
  } finally {
    const stopped = await daemon.stop('SIGTERM');
    assert.equal(stopped.code, 0, daemon.stderr());
  }
  const log = daemon.stderr();
  assert.ok(!log.includes(PASSWORD) && !log.includes('tok-swap-5678'), 'no secret in the log');
});

test('SIGHUP with a valid config changes what is checked; with an invalid one the old config keeps running and the error is logged', async () => {
  const dir = await tempDir('rm-daemon-hup-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText({ a: { url: freshUrl, token: 'tok-a-5678' } }));
  const daemon = await startDaemon(['-c', config]);
  try {
    await waitFor('a beat for a', () => beatsOf('tok-a-5678').length >= 1);
    await writeFile(config, configText({ b: { url: staleUrl, token: 'tok-b-5678' } }));
    daemon.child.kill('SIGHUP');
    await waitFor('the reload', () => daemon.stderr().includes('"msg":"config reloaded"'));
    await waitFor('two beats for b', () => beatsOf('tok-b-5678').length >= 2);
    const aAfterReload = beatsOf('tok-a-5678').length;
    await waitFor('two more beats for b', () => beatsOf('tok-b-5678').length >= 4);
    assert.equal(beatsOf('tok-a-5678').length, aAfterReload, 'a is no longer checked');
    assert.deepEqual(new Set(beatsOf('tok-b-5678').map((beat) => beat.status)), new Set(['down']));

    await writeFile(config, configText({ b: { url: staleUrl, token: 'tok-b-5678' } }, '  timeout: 6x'));
    daemon.child.kill('SIGHUP');
    await waitFor('the failed reload', () => daemon.stderr().includes('config reload failed'));
    const failure = logLines(daemon.stderr()).find((line) => String(line.msg).startsWith('config reload failed'))!;
    assert.equal(failure.msg, 'config reload failed, keeping the previous config: defaults.timeout: "6x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)');
    assert.equal(failure.level, 50);
    const before = beatsOf('tok-b-5678').length;
    await waitFor('b still checked after the failed reload', () => beatsOf('tok-b-5678').length >= before + 2);
    const families = await metrics(daemon.url);
    assert.equal(sampleValue(families, 'restic_monitor_config_last_reload_successful'), 0);
    assert.equal(sampleValue(families, 'restic_monitor_up', { check: 'b', repository: 'b', mode: 'restic' }), 0);
    assert.throws(() => sampleValue(families, 'restic_monitor_up', { check: 'a' }), /0 samples/, 'a removed repository leaves the metrics');
  } finally {
    const stopped = await daemon.stop('SIGINT');
    assert.equal(stopped.code, 0, daemon.stderr());
  }
  assert.ok(!daemon.stderr().includes(PASSWORD), 'no secret in the log');
});

/** Whether `pid` is still a live process (a zombie awaiting its reaper is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

test('SIGTERM while restic hangs (and ignores SIGTERM): exit 0 within 10 s, no child process left', async () => {
  const dir = await tempDir('rm-daemon-term-');
  const pidsFile = join(dir, 'pids');
  await writeFile(pidsFile, '');
  const config = join(dir, 'config.yaml');
  await writeFile(config, configText({ one: { url: freshUrl, token: 'tok-a-5678' }, two: { url: staleUrl, token: 'tok-b-5678' } }, '  timeout: 10m'));
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang.sh'), HANG_PIDS: pidsFile });
  let pids: number[] = [];
  try {
    await waitFor('both hanging restics and their children', async () => {
      pids = (await readFile(pidsFile, 'utf8')).split(/\s+/).filter(Boolean).map(Number);
      return pids.length === 4;
    });
    assert.equal(childrenOf(daemon.pid).length, 2, 'two restic processes under the daemon');
    assert.ok(pids.every(alive));
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  const stopped = await daemon.stop('SIGTERM');
  assert.equal(stopped.code, 0, daemon.stderr());
  assert.ok(stopped.ms < CLEAN_STOP_BOUND_MS, `took ${stopped.ms} ms to exit (the stated bound: ${CLEAN_STOP_BOUND_MS} ms)`);
  assert.deepEqual(pids.filter(alive), [], 'every restic and every child of it is gone');
  console.log(`# SIGTERM to exit: ${stopped.ms} ms`);
});
