import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import type { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/parse.js';
import { runDaemon } from '../../src/daemon/daemon.js';
import { judgeHealth } from '../../src/daemon/health.js';
import { formatDuration } from '../../src/duration.js';
import { HealthchecksTarget } from '../../src/push/healthchecks.js';
import { UptimeKumaTarget } from '../../src/push/uptime-kuma.js';
import { overdueAfterMs, worstCaseCycleMs } from '../../src/run/bounds.js';
import { checkConfig } from '../helpers/config.js';
import { parseListen } from '../../src/http/listen.js';
import { runCli } from '../helpers/cli.js';
import { FakeTimers, settle } from '../helpers/fake-timers.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { tempDir } from '../helpers/restic-repos.js';

const MINUTE = 60_000;

test('health: ok while every repository had a cycle end within its limit, 503 past it', () => {
  const entry = { name: 'db', lastProgressAt: 0, overdueAfterMs: 21 * MINUTE };
  assert.deepEqual(judgeHealth(true, [entry], 21 * MINUTE), { ok: true, reason: 'ok: 1 check on schedule' });
  assert.deepEqual(judgeHealth(true, [entry], 21 * MINUTE + 1000), { ok: false, reason: 'db: no check ended for 21m1s (limit 21m)' });
  assert.deepEqual(judgeHealth(false, [entry], 0), { ok: false, reason: 'scheduler stopped' });
});

test('the limit counts all a cycle may take: intervals, jitter, timeout, kill grace, every push attempt and backoff', () => {
  const kuma = new UptimeKumaTarget();
  const healthchecks = new HealthchecksTarget();
  // interval 2s (the soak's), timeout 5s, push_timeout 1s, Kuma only:
  // 2 x 2 s + 0.2 s jitter + 5 s + 4 s kill grace + (3 x 1 s + 1 s + 2 s backoff) = 19.2 s.
  const repository = checkConfig({ url: '/srv/a', intervalMs: 2000, timeoutMs: 5000, pushTimeoutMs: 1000, pushUrl: 'http://127.0.0.1:9/api/push/', pushToken: 'tok-1234' });
  assert.equal(worstCaseCycleMs(repository, [kuma, healthchecks]), 5000 + 4000 + 6000);
  assert.equal(overdueAfterMs(repository.intervalMs, worstCaseCycleMs(repository, [kuma, healthchecks])), 19_200);
  // Both targets: each has its own attempts. No target: the check alone.
  assert.equal(worstCaseCycleMs({ ...repository, pingUrl: 'http://127.0.0.1:9/ping/x' }, [kuma, healthchecks]), 5000 + 4000 + 2 * 6000);
  assert.equal(worstCaseCycleMs(repository, []), 9000);
  // Defaults (interval 1h, timeout 10m, push_timeout 10s): jitter is at most 5 min.
  const defaults = checkConfig({ url: '/srv/a', intervalMs: 3_600_000, timeoutMs: 600_000, pushTimeoutMs: 10_000, pushUrl: 'http://127.0.0.1:9/api/push/', pushToken: 'tok-1234' });
  assert.equal(formatDuration(overdueAfterMs(defaults.intervalMs, worstCaseCycleMs(defaults, [kuma]))), '2h15m');
  assert.equal(formatDuration(overdueAfterMs(defaults.intervalMs, worstCaseCycleMs(defaults, [kuma])), true), '2h15m37s');
});

test('listen must be an explicit host and port', () => {
  assert.deepEqual(parseListen('127.0.0.1:9469'), { host: '127.0.0.1', port: 9469 });
  assert.deepEqual(parseListen('[::1]:9469'), { host: '::1', port: 9469 });
  assert.equal(parseListen(':9469'), 'listen: ":9469" is not host:port (e.g. 127.0.0.1:9469)');
  assert.equal(parseListen('9469'), 'listen: "9469" is not host:port (e.g. 127.0.0.1:9469)');
  assert.equal(parseListen('127.0.0.1:70000'), 'listen: port 70000 is out of range (0 to 65535)');
});

test('an unusable listen value is a config error: validate and daemon refuse it', async () => {
  assert.throws(() => parseConfig('listen: "9469"\nrepositories:\n  a:\n    url: /srv/a\n', {}), (error: ConfigError) => {
    assert.deepEqual(error.problems, ['listen: "9469" is not host:port (e.g. 127.0.0.1:9469)']);
    return true;
  });
  let stderr = '';
  const config = { ...parseConfig('repositories:\n  a:\n    url: /srv/a\n', {}), listen: '9469' };
  const code = await runDaemon({
    config,
    load: async () => config,
    checkers: [],
    pushTargets: [],
    env: {},
    now: () => new Date(),
    stderr: { write: (text: string) => (stderr += text) },
    signal: new AbortController().signal,
    hangup: new EventEmitter(),
  });
  assert.equal(code, 2);
  assert.equal(stderr, 'restic-monitor: config error:\n  listen: "9469" is not host:port (e.g. 127.0.0.1:9469)\n');
});

test('the endpoint serves /metrics, /status and /healthz, and /healthz turns 503 when cycles stop', async () => {
  const timers = new FakeTimers();
  const start = Date.parse('2026-11-22T12:00:00Z');
  const now = () => new Date(start + timers.now());
  let checks = 0;
  let aborted = 0;
  // The first check answers; the second never does until aborted: the cycle stalls.
  const checker: Checker = {
    mode: 'restic',
    kind: 'restic',
    supports: () => true,
    check: (_repository, context) => {
      checks++;
      if (checks === 1) return Promise.resolve({ latest: new Date(start - 3_600_000) });
      return new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => (aborted++, reject(new Error('aborted')))));
    },
  };
  const config = parseConfig('listen: 127.0.0.1:0\ndefaults:\n  interval: 10m\n  timeout: 1m\nrepositories:\n  web:\n    url: /srv/web\n', {});
  let stderr = '';
  const shutdown = new AbortController();
  const hangup = new EventEmitter();
  const exit = runDaemon({
    config,
    load: async () => config,
    checkers: [checker],
    pushTargets: [],
    env: {},
    now,
    stderr: { write: (text: string) => (stderr += text) },
    signal: shutdown.signal,
    hangup,
    timers,
    random: () => 0,
  });
  // Whatever fails below, the daemon and its server must not outlive the test.
  const stop = async () => {
    shutdown.abort();
    return exit;
  };
  let url: string | undefined;
  try {
    for (let i = 0; i < 100 && !stderr.includes('daemon started'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
    assert.ok(url, stderr);
    await settle();
    assert.equal(checks, 1);

    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheus(await metrics.text());
    const labels = { check: 'web', repository: 'web', mode: 'restic' };
    assert.equal(sampleValue(families, 'restic_monitor_up', labels), 1);
    assert.equal(sampleValue(families, 'restic_monitor_snapshot_age_seconds', labels), 3600);
    assert.equal(sampleValue(families, 'restic_monitor_checks_total', labels), 1);
    assert.equal(sampleValue(families, 'restic_monitor_config_last_reload_successful'), 1);

    const status = (await (await fetch(`${url}/status`)).json()) as Array<Record<string, unknown>>;
    assert.equal(status.length, 1);
    assert.deepEqual({ ...status[0], duration_ms: 0 }, {
      name: 'web',
      status: 'up',
      mode: 'restic',
      latest: '2026-11-22T11:00:00.000Z',
      latest_basis: 'time',
      age_seconds: 3600,
      max_age_seconds: 86400,
      message: 'latest snapshot 1h ago (max 1d)',
      error: null,
      duration_ms: 0,
      checked_at: '2026-11-22T12:00:00.000Z',
      pushes: [],
      // interval 10m, no jitter (random: () => 0)
      next_run: '2026-11-22T12:10:00.000Z',
    });

    let health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok: 1 check on schedule\n');

    await timers.advance(10 * MINUTE); // the second check starts, and hangs
    assert.equal(checks, 2);
    await timers.advance(11 * MINUTE);
    health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200, 'still within two intervals, jitter, the timeout and its kill grace');
    await health.text();
    // 2 x 10m + 1m jitter + 1m timeout + 4s kill grace, no push target.
    await timers.advance(MINUTE + 4000);
    health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200, 'still within 22m4s');
    await health.text();
    await timers.advance(1000);
    health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 503);
    assert.equal(await health.text(), 'web: no check ended for 22m5s (limit 22m4s)\n');

    assert.equal((await fetch(`${url}/nothing`)).status, 404);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');

  } catch (error) {
    await stop();
    throw error;
  }
  assert.equal(await stop(), 0);
  assert.equal(aborted, 1, 'the hung check was aborted');
  assert.equal(hangup.listenerCount('SIGHUP'), 0, 'no SIGHUP listener left behind');
  assert.equal(timers.pending.size, 0, 'no timer left behind');
  await assert.rejects(fetch(`${url}/healthz`), 'the endpoint is closed');
});

test('an address already in use: logged, exit 1', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  let stderr = '';
  const config = parseConfig(`listen: 127.0.0.1:${port}\nrepositories:\n  a:\n    url: /srv/a\n`, {});
  const hangup = new EventEmitter();
  try {
    const code = await runDaemon({
      config,
      load: async () => config,
      checkers: [],
      pushTargets: [],
      env: {},
      now: () => new Date(),
      stderr: { write: (text: string) => (stderr += text) },
      signal: new AbortController().signal,
      hangup,
    });
    assert.equal(code, 1);
  } finally {
    blocker.close();
  }
  const line = JSON.parse(stderr.trim()) as { level: number; msg: string };
  assert.equal(line.level, 60);
  assert.equal(line.msg, `cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
  assert.equal(hangup.listenerCount('SIGHUP'), 0);
});

test('restic-monitor daemon with a bad listen exits 2 naming the key, before anything runs', async () => {
  const dir = await tempDir('rm-listen-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'listen: "0.0.0.0"\nrepositories:\n  a:\n    url: /srv/a\n');
  const run = await runCli(['daemon', '-c', config]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, `restic-monitor: config error in ${config}:\n  listen: "0.0.0.0" is not host:port (e.g. 127.0.0.1:9469)\n`);
});
