import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { settleAges } from '../helpers/ages.js';
import { runCli } from '../helpers/cli.js';
import { startHealthchecksReceiver, type HealthchecksReceiver } from '../helpers/healthchecks-receiver.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { DB_TOKEN, WEB_TOKEN } from '../helpers/original-config.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const UUID = '0f3c9a3e-2b4d-4e7a-9c1f-5a6b7c8d9e01';
const URL_PASSWORD = 'kuma-basic-auth-canary';

let root: string;
let kuma: PushReceiver;
let hc: HealthchecksReceiver;
let kumaBase: string;
const env = { RESTIC_PASSWORD: PASSWORD };
const requestCount = () => kuma.requests.length + hc.requests.length;

before(async () => {
  root = await tempDir('rm-dry-run-');
  kuma = await startPushReceiver([WEB_TOKEN, DB_TOKEN]);
  hc = await startHealthchecksReceiver([UUID]);
  kumaBase = kuma.pushUrl.replace(/\/api\/push\/$/, '');
  await Promise.all([
    makeRepository(join(root, 'web-server'), [{ time: resticTime(3 * 3_600_000) }]),
    makeRepository(join(root, 'db-server'), [{ time: resticTime(8 * 3_600_000) }]),
  ]);
});
after(async () => {
  await kuma.close();
  await hc.close();
});

async function config(name: string, text: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, text);
  return path;
}

describe('run --dry-run', () => {
  test('checks every repository, pushes nothing, and shows what it would push where, secrets masked', async () => {
    const withPassword = kuma.pushUrl.replace('http://', `http://monitor:${URL_PASSWORD}@`);
    const path = await config(
      'dry.yaml',
      `defaults:\n  url: ${root}/{{ .Name }}\n  push_url: ${withPassword}\nrepositories:\n` +
        `  web-server: {push_token: ${WEB_TOKEN}}\n` +
        `  db-server: {push_token: ${DB_TOKEN}, max_age: 6h, ping_url: "${hc.baseUrl}${UUID}"}\n` +
        `  quiet: {url: ${root}/web-server, push_url: null}\n`,
    );
    const before = requestCount();
    const result = await runCli(['run', '--dry-run', '-c', path], { env });
    assert.equal(result.code, 1, result.stderr);
    const base = kumaBase.replace('http://', 'http://monitor:***@');
    const hcBase = hc.baseUrl.replace(/\/ping\/$/, '');
    assert.deepEqual(settleAges(result.stdout).split('\n'), [
      `UP   web-server: latest snapshot 3h ago (max 1d) [would push up to uptime-kuma ${base}/api/push/***]`,
      `DOWN db-server: stale: latest snapshot 8h ago (max 6h) [would push down to uptime-kuma ${base}/api/push/***; would push down to healthchecks ${hcBase}/***/fail]`,
      'UP   quiet: latest snapshot 3h ago (max 1d) [not pushed (no push target)]',
      '',
    ]);
    assert.equal(result.stderr, '');
    assert.equal(requestCount(), before, 'a dry run sends nothing');
    for (const secret of [WEB_TOKEN, DB_TOKEN, UUID, URL_PASSWORD]) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), `${secret} shown`);
  });

  test('all up is exit 0 (there is no push to fail)', async () => {
    const path = await config('dry-up.yaml', `repositories:\n  web-server: {url: ${root}/web-server, push_url: ${kuma.pushUrl}, push_token: not-a-monitor}\n`);
    const result = await runCli(['run', '--dry-run', '-c', path], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(settleAges(result.stdout), `UP   web-server: latest snapshot 3h ago (max 1d) [would push up to uptime-kuma ${kumaBase}/api/push/***]\n`);
  });

  const usage = (message: string) => `restic-monitor: ${message}\nRun "restic-monitor --help" for usage.\n`;
  for (const [args, message] of [
    [['status', '--dry-run'], '--dry-run works with run and kuma sync, not status'],
    [['run', '--dry-run', '--textfile', '/tmp/x.prom'], '--dry-run writes nothing: drop --textfile'],
  ] as const) {
    test(`usage error: ${args.join(' ')}`, async () => {
      const result = await runCli([...args]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, usage(message));
      assert.equal(result.stdout, '');
    });
  }
});

describe('test-push NAME', () => {
  // No repository behind any of these: test-push checks nothing, so it needs none.
  const fleet = () =>
    config(
      'push.yaml',
      `defaults:\n  url: /nonexistent/{{ .Name }}\n  push_url: ${kuma.pushUrl}\nrepositories:\n` +
        `  web-server: {push_token: ${WEB_TOKEN}}\n` +
        `  db-server: {push_token: ${DB_TOKEN}, ping_url: "${hc.baseUrl}${UUID}"}\n` +
        `  new-box: {push_token: wrong-token-pasted}\n` +
        `  quiet: {push_url: null}\n` +
        `  fleet:\n    hosts:\n      web1: {push_token: ${WEB_TOKEN}}\n      web2: {push_token: ${DB_TOKEN}}\n`,
    );

  test('sends one up beat with a test message to each target of NAME, and says it was delivered', async () => {
    kuma.beats.length = 0;
    hc.pings.length = 0;
    const result = await runCli(['test-push', 'db-server', '-c', await fleet()], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    const hcBase = hc.baseUrl.replace(/\/ping\/$/, '');
    assert.equal(
      result.stdout,
      `db-server: test beat delivered to uptime-kuma ${kumaBase}/api/push/***\ndb-server: test beat delivered to healthchecks ${hcBase}/***\n`,
    );
    assert.equal(result.stderr, '');
    assert.deepEqual(kuma.beats.map(({ token, status, msg }) => ({ token, status, msg })), [{ token: DB_TOKEN, status: 'up', msg: 'restic-monitor test push' }]);
    assert.deepEqual(hc.pings.map(({ check, kind, body }) => ({ check, kind, body })), [{ check: UUID, kind: 'success', body: 'restic-monitor test push' }]);
    for (const secret of [DB_TOKEN, UUID]) assert.ok(!result.stdout.includes(secret), `${secret} shown`);
  });

  test('a token Kuma does not know: the failure with Kuma\'s answer, exit 1', async () => {
    const result = await runCli(['test-push', 'new-box', '-c', await fleet()], { env: {} });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, `new-box: test beat to uptime-kuma ${kumaBase}/api/push/*** failed: Uptime Kuma: HTTP 404: Monitor not found or not active.\n`);
    assert.ok(!result.stdout.includes('wrong-token-pasted'));
  });

  test('a repository with hosts: every host check gets its beat', async () => {
    kuma.beats.length = 0;
    const result = await runCli(['test-push', 'fleet', '-c', await fleet()], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `fleet/web1: test beat delivered to uptime-kuma ${kumaBase}/api/push/***\nfleet/web2: test beat delivered to uptime-kuma ${kumaBase}/api/push/***\n`);
    assert.deepEqual(kuma.beats.map((beat) => beat.token).sort(), [DB_TOKEN, WEB_TOKEN].sort());
  });

  test('a check without a push target: said so, exit 1', async () => {
    const before = requestCount();
    const result = await runCli(['test-push', 'quiet', '-c', await fleet()], { env: {} });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, 'quiet: no push target (set push_url and push_token, or ping_url)\n');
    assert.equal(requestCount(), before);
  });

  for (const [name, args, stderr] of [
    ['a mistyped name: the nearest one', ['web-sever'], 'restic-monitor: test-push: no check named "web-sever" (did you mean "web-server"?)\n'],
    ['a name nowhere near', ['mailserver-eu'], 'restic-monitor: test-push: no check named "mailserver-eu" (restic-monitor validate lists them)\n'],
    ['no name', [], 'restic-monitor: test-push needs the name of a check: restic-monitor test-push NAME\nRun "restic-monitor --help" for usage.\n'],
    ['two names', ['web-server', 'db-server'], 'restic-monitor: unexpected argument "db-server"\nRun "restic-monitor --help" for usage.\n'],
    ['--only', ['web-server', '--only', 'db-server'], 'restic-monitor: test-push takes the name of one check, not --only\nRun "restic-monitor --help" for usage.\n'],
  ] as const) {
    test(`usage error, exit 2: ${name}`, async () => {
      const before = requestCount();
      const result = await runCli(['test-push', ...args, '-c', await fleet()], { env: {} });
      assert.equal(result.code, 2);
      assert.equal(result.stderr, stderr);
      assert.equal(result.stdout, '');
      assert.equal(requestCount(), before);
    });
  }
});
