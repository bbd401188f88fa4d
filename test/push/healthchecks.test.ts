import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { HealthchecksTarget } from '../../src/push/healthchecks.js';
import { PushError } from '../../src/push/target.js';
import { runCli } from '../helpers/cli.js';
import { startHealthchecksReceiver, type HealthchecksReceiver } from '../helpers/healthchecks-receiver.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, tempDir } from '../helpers/restic-repos.js';

const UUID_UP = '0f3c9a3e-2b4d-4e7a-9c1f-5a6b7c8d9e01';
const UUID_DOWN = '7d2e4f6a-8b0c-4d1e-a3f5-b7c9d1e3f502';
const PING_KEY = 'fJ3kQ9zX2mN7pL4wR8tV1y';
let hc: HealthchecksReceiver;
let kuma: PushReceiver;
const target = new HealthchecksTarget({ retry: { attempts: 3, firstDelayMs: 20 } });

before(async () => {
  hc = await startHealthchecksReceiver([UUID_UP, UUID_DOWN, `${PING_KEY}/fleet-web1`]);
  kuma = await startPushReceiver(['kumaTokenUp1']);
});
after(async () => {
  await hc.close();
  await kuma.close();
});

const repository = (pingUrl: string, pushTimeout = '5s') =>
  parseConfig(`repositories:\n  a:\n    url: /srv/a\n    push_timeout: ${pushTimeout}\n    ping_url: ${pingUrl}\n`, {}).checks[0]!;
const report = (status: 'up' | 'down', message: string) => ({ status, message, durationMs: 12 });
const reason = async (work: Promise<void>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof PushError);
    return error.reason;
  }
  assert.fail('expected the push to fail');
};

test('up pings the URL and down pings <url>/fail, each with the message as the body', async () => {
  const signal = new AbortController().signal;
  await target.push(repository(`${hc.baseUrl}${UUID_UP}`), report('up', 'latest snapshot 2h ago (max 1d)'), signal);
  await target.push(repository(`${hc.baseUrl}${UUID_DOWN}/`), report('down', 'stale: latest snapshot 3d ago (max 1d)'), signal);
  await target.push(repository(`${hc.baseUrl}${PING_KEY}/fleet-web1`), report('down', 'no snapshots for host web1'), signal);
  assert.deepEqual(hc.pings.splice(0), [
    { check: UUID_UP, kind: 'success', method: 'POST', body: 'latest snapshot 2h ago (max 1d)' },
    { check: UUID_DOWN, kind: 'fail', method: 'POST', body: 'stale: latest snapshot 3d ago (max 1d)' },
    { check: `${PING_KEY}/fleet-web1`, kind: 'fail', method: 'POST', body: 'no snapshots for host web1' },
  ]);
});

test('an unknown check fails at once, without retries', async () => {
  const before = hc.requests.length;
  const uuid = '11111111-2222-4333-8444-555555555555';
  assert.equal(await reason(target.push(repository(`${hc.baseUrl}${uuid}`), report('up', 'x'), new AbortController().signal)), 'healthchecks: check not found (HTTP 404)');
  assert.equal(hc.requests.length - before, 1);
});

test('server errors and rate limits are retried until the ping is recorded', async () => {
  hc.queued.set(UUID_UP, [
    [500, 'Internal Server Error'],
    [429, 'rate limited'],
  ]);
  await target.push(repository(`${hc.baseUrl}${UUID_UP}`), report('up', 'fine'), new AbortController().signal);
  assert.deepEqual(hc.pings.splice(0).map((ping) => ping.body), ['fine']);
  hc.queued.set(UUID_UP, [[503, 'down for maintenance'], [503, ''], [503, '']]);
  assert.equal(await reason(target.push(repository(`${hc.baseUrl}${UUID_UP}`), report('up', 'fine'), new AbortController().signal)), 'healthchecks: HTTP 503');
  assert.equal(hc.pings.length, 0);
});

test('a target that never answers is given up after push_timeout per attempt', async () => {
  hc.queued.set(UUID_DOWN, ['hang', 'hang', 'hang']);
  const started = hc.requests.length;
  assert.equal(await reason(target.push(repository(`${hc.baseUrl}${UUID_DOWN}`, '1s'), report('down', 'x'), new AbortController().signal)), 'no answer within 1s');
  assert.equal(hc.requests.length - started, 3);
});

test('one run reports to Uptime Kuma and healthchecks together, and shows no ping UUID', async () => {
  const dir = await tempDir('rm-hc-');
  const fresh = await makeRepository(join(dir, 'fresh'), [{ host: 'a' }]);
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `
defaults:
  mode: fast
  push_url: ${kuma.pushUrl}
repositories:
  both:
    url: ${fresh}
    push_token: kumaTokenUp1
    ping_url: ${hc.baseUrl}${UUID_UP}
  hc-only:
    url: ${join(dir, 'missing')}
    ping_url: ${hc.baseUrl}${UUID_DOWN}
`,
  );
  hc.pings.length = 0;
  const result = await runCli(['run', '-c', config], { env: { LOG_LEVEL: 'debug' } });
  assert.equal(result.code, 1);
  assert.deepEqual(
    kuma.beats.map((beat) => [beat.token, beat.status]),
    [['kumaTokenUp1', 'up']],
  );
  assert.deepEqual(
    // Repositories are checked concurrently: compare in a fixed order.
    hc.pings.map((ping) => [ping.check, ping.kind, ping.body]).sort((a, b) => (a[1]! > b[1]! ? -1 : 1)),
    [
      [UUID_UP, 'success', kuma.beats[0]!.msg],
      [UUID_DOWN, 'fail', `check failed: repository not found (no directory ${join(dir, 'missing')})`],
    ],
  );
  const lines = result.stdout.split('\n');
  assert.match(lines[0]!, /^UP   both: latest snapshot .* \[pushed to uptime-kuma; pushed to healthchecks\]$/);
  assert.match(lines[1]!, /^DOWN hc-only: check failed: .* \[pushed to healthchecks\]$/);
  for (const secret of [UUID_UP, UUID_DOWN, 'kumaTokenUp1']) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} leaked`);
  }
});
