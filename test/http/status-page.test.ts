import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import { parseConfig } from '../../src/config/parse.js';
import { runDaemon } from '../../src/daemon/daemon.js';
import { escapeHtml, renderStatusPage, STATUS_PAGE_HEADERS } from '../../src/http/status-page.js';
import type { CheckResult } from '../../src/run/result.js';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FakeTimers, settle } from '../helpers/fake-timers.js';
import { FIXTURES } from '../helpers/paths.js';
import { startPushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';

const now = new Date('2026-11-22T12:00:00.000Z');
const result = (overrides: Partial<CheckResult> & { name: string }): CheckResult => ({
  status: 'up',
  mode: 'restic',
  latest: '2026-11-22T10:00:00.000Z',
  latest_basis: 'time',
  age_seconds: 7200,
  max_age_seconds: 86400,
  message: 'latest snapshot 2h ago (max 1d)',
  error: null,
  duration_ms: 612,
  checked_at: '2026-11-22T11:57:00.000Z',
  pushes: [],
  ...overrides,
});

/** The rows' cells as text, tags stripped and entities decoded: what a reader sees. */
function rowsOf(html: string): string[][] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)![1]!;
  const text = (cell: string) =>
    cell
      .replace(/<br>/g, ' ')
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return [...body.matchAll(/<tr class="(\w+)" data-state="\1">(.*?)<\/tr>/g)].map(([, state, cells]) => [state!, ...[...cells!.matchAll(/<td class="\w+">(.*?)<\/td>/g)].map(([, cell]) => text(cell!))]);
}

test('the page lists every check with state, age, max age, mode, last check and message; down rows first, then pending, then up', () => {
  const html = renderStatusPage({
    results: [
      result({ name: 'web' }),
      result({ name: 'db', status: 'down', latest: '2026-11-19T12:00:00.000Z', max_age_seconds: 21600, message: 'stale: latest snapshot 3d ago (max 6h)' }),
      result({ name: 'fast-one', mode: 'fast', max_age_seconds: 5400 }),
      result({ name: 'broken', status: 'down', latest: null, age_seconds: null, error: 'wrong password or no key found', message: 'check failed: wrong password or no key found', checked_at: '2026-11-22T10:00:00.000Z' }),
    ],
    pending: ['new'],
    now,
    refreshSeconds: 30,
  });
  assert.deepEqual(rowsOf(html), [
    ['down', 'db', 'DOWN', '3d', '6h', 'restic', '2026-11-22 11:57:00Z 3m ago', 'stale: latest snapshot 3d ago (max 6h)'],
    ['down', 'broken', 'DOWN', '-', '1d', 'restic', '2026-11-22 10:00:00Z 2h ago', 'check failed: wrong password or no key found'],
    ['pending', 'new', 'PENDING', '-', '-', '-', '-', 'not checked yet'],
    ['up', 'web', 'UP', '2h', '1d', 'restic', '2026-11-22 11:57:00Z 3m ago', 'latest snapshot 2h ago (max 1d)'],
    ['up', 'fast-one', 'UP', '2h', '1h30m', 'fast', '2026-11-22 11:57:00Z 3m ago', 'latest snapshot 2h ago (max 1d)'],
  ]);
  assert.match(html, /<title>restic-monitor: 2 of 5 down<\/title>/);
  assert.match(html, /<p class="summary">2 down, 1 pending, 2 up\. Generated 2026-11-22 12:00:00Z; reloads every 30 s\.<\/p>/);
  assert.match(html, /<meta http-equiv="refresh" content="30">/);
});

test('the headline says all up, or how many are still pending', () => {
  const title = (input: Parameters<typeof renderStatusPage>[0]) => /<title>(.*)<\/title>/.exec(renderStatusPage(input))![1];
  assert.equal(title({ results: [result({ name: 'a' })], pending: [], now, refreshSeconds: 30 }), 'restic-monitor: all 1 up');
  assert.equal(title({ results: [result({ name: 'a' })], pending: ['b', 'c'], now, refreshSeconds: 30 }), 'restic-monitor: 1 of 3 up, 2 pending');
  assert.equal(title({ results: [], pending: [], now, refreshSeconds: 30 }), 'restic-monitor: all 0 up');
});

test('a snapshot ahead of the clock shows how far ahead; undelivered heartbeats show under the message', () => {
  const html = renderStatusPage({
    results: [
      result({
        name: 'skewed',
        status: 'down',
        latest: '2026-11-22T15:00:00.000Z',
        message: 'latest snapshot is 3h in the future: check the clocks',
        pushes: [{ target: 'uptime-kuma', delivered: false, error: 'HTTP 404: Monitor not found or not active.' }, { target: 'healthchecks', delivered: true }],
      }),
    ],
    pending: [],
    now,
    refreshSeconds: 30,
  });
  assert.deepEqual(rowsOf(html)[0]!.slice(3, 4), ['3h ahead']);
  assert.equal(rowsOf(html)[0]![7], 'latest snapshot is 3h in the future: check the clocksheartbeat to uptime-kuma not delivered: HTTP 404: Monitor not found or not active.');
  assert.match(html, /<div class="push">heartbeat to uptime-kuma not delivered: HTTP 404: Monitor not found or not active\.<\/div>/);
});

test('names, messages and push errors are text: markup in them is escaped, never interpreted', () => {
  const evil = `<script>alert(1)</script>"'&<img src=x onerror=alert(2)>`;
  const html = renderStatusPage({
    results: [result({ name: evil, status: 'down', message: `no snapshots for host ${evil}`, pushes: [{ target: 'uptime-kuma', delivered: false, error: evil }] })],
    pending: [`pending ${evil}`],
    now,
    refreshSeconds: 30,
  });
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x onerror=alert(2)&gt;';
  assert.equal(escapeHtml(evil), escaped);
  assert.ok(!html.includes('<script') && !html.includes('<img'), 'no tag from the input survives');
  assert.deepEqual(rowsOf(html).map((row) => row[1]), [evil, `pending ${evil}`]);
  assert.equal(rowsOf(html)[0]![7], `no snapshots for host ${evil}heartbeat to uptime-kuma not delivered: ${evil}`);
});

test('the page is self-contained, and its CSP allows exactly its own style and nothing else', () => {
  const html = renderStatusPage({ results: [result({ name: 'web' })], pending: [], now, refreshSeconds: 30 });
  assert.ok(!/\b(?:src|href|action)=/i.test(html), 'nothing to load: no src, href or action attribute');
  assert.ok(!/https?:|\/\//.test(html.replace(/<!doctype html>/, '')), 'no URL at all');
  assert.ok(!/<script/i.test(html));
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  const hash = createHash('sha256').update(style).digest('base64');
  assert.equal(
    STATUS_PAGE_HEADERS['content-security-policy'],
    `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
});

test('GET / on the daemon serves the page with its headers, HEAD too; repositories not checked yet are pending', async () => {
  const timers = new FakeTimers();
  const start = Date.parse('2026-11-22T12:00:00Z');
  const clock = () => new Date(start + timers.now());
  // "web" answers; "slow" never does until the daemon stops: it stays pending.
  const checker: Checker = {
    kind: 'restic',
    mode: 'restic',
    supports: () => true,
    check: (repository, context) =>
      repository.name === 'web'
        ? Promise.resolve({ latest: new Date(start - 3_600_000) })
        : new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted')))),
  };
  const config = parseConfig('listen: 127.0.0.1:0\ndefaults:\n  interval: 10m\nrepositories:\n  web:\n    url: /srv/web\n  slow:\n    url: /srv/slow\n', {});
  let stderr = '';
  const shutdown = new AbortController();
  const exit = runDaemon({
    config,
    load: async () => config,
    checkers: [checker],
    notifiers: [],
    env: {},
    now: clock,
    stderr: { write: (text: string) => (stderr += text) },
    signal: shutdown.signal,
    hangup: new EventEmitter(),
    timers,
    random: () => 0,
  });
  try {
    for (let i = 0; i < 100 && !stderr.includes('daemon started'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
    assert.ok(url, stderr);
    await settle();

    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) assert.equal(page.headers.get(name), value, name);
    const html = await page.text();
    assert.deepEqual(rowsOf(html), [
      ['pending', 'slow', 'PENDING', '-', '-', '-', '-', 'not checked yet'],
      ['up', 'web', 'UP', '1h', '1d', 'restic', '2026-11-22 12:00:00Z 0s ago', 'latest snapshot 1h ago (max 1d)'],
    ]);

    const head = await fetch(`${url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await fetch(`${url}/`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(await post.text(), 'method not allowed\n');
    const missing = await fetch(`${url}/index.html`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not found: try /, /metrics, /healthz or /status\n');
  } finally {
    shutdown.abort();
    assert.equal(await exit, 0);
  }
});

test('no secret reaches the page, even when restic echoes every secret it was given into its error', async () => {
  const secrets = { password: 'canary-page-password-01', urlPassword: 'canary-page-url-pw-02', awsSecret: 'canary-page-aws-secret-03', token: 'canaryPageToken04', unknownToken: 'canaryPageToken05' };
  const receiver = await startPushReceiver([secrets.token]);
  const dir = await tempDir('rm-status-page-secrets-');
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `listen: 127.0.0.1:0
defaults:
  interval: 1h
  push_url: ${receiver.pushUrl}
  extra_env:
    RESTIC_PASSWORD: ${secrets.password}
    AWS_SECRET_ACCESS_KEY: ${secrets.awsSecret}
repositories:
  leaky:
    url: rest:http://monitor:${secrets.urlPassword}@127.0.0.1:1/repo
    push_token: ${secrets.token}
  unknown-token:
    url: /srv/nowhere
    push_token: ${secrets.unknownToken}
`,
  );
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-leaky') });
  try {
    await waitFor('both repositories checked', async () => ((await (await fetch(`${daemon.url}/status`)).json()) as unknown[]).length === 2);
    const html = await (await fetch(`${daemon.url}/`)).text();
    for (const [kind, secret] of Object.entries(secrets)) assert.ok(!html.includes(secret), `${kind} is on the page`);
    const leaky = rowsOf(html).find((row) => row[1] === 'leaky')!;
    assert.match(leaky[7]!, /^check failed: .*password \*\*\*/);
    assert.equal(rowsOf(html).find((row) => row[1] === 'unknown-token')![0], 'down');
  } finally {
    await daemon.stop();
    await receiver.close();
  }
});
