import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';

let receiver: PushReceiver;
let refusedUrl: string;
before(async () => {
  receiver = await startPushReceiver(['healthy']);
  receiver.answers.set('says-431', [431, '']);
  receiver.answers.set('says-500', [500, 'Internal Server Error']);
  receiver.answers.set('says-html', [200, '<!doctype html><title>Sign in</title>']);
  receiver.answers.set('never-answers', 'hang');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/push/`;
  await new Promise((resolve) => server.close(resolve));
});
after(() => receiver.close());

test('each kind of Kuma failure is reported for its repository; the others are unaffected', async () => {
  const root = await tempDir();
  const config = join(root, 'config.yaml');
  await writeFile(
    config,
    `defaults:
  url: /unused
  push_url: ${receiver.pushUrl}
  push_timeout: 1s
repositories:
  healthy: {push_token: healthy}
  unknown-monitor: {push_token: no-such-monitor}
  request-too-large: {push_token: says-431}
  server-error: {push_token: says-500}
  login-page: {push_token: says-html}
  black-hole: {push_token: never-answers}
  refused: {push_token: healthy, push_url: "${refusedUrl}"}
`,
  );
  const result = await runCli(['run', '--config', config], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh') }, timeoutMs: 60_000 });
  assert.equal(result.code, 1);
  const line = (name: string, push: string) => `UP   ${name}: latest snapshot 1h ago (max 1d) [${push}]`;
  assert.deepEqual(result.stdout.trimEnd().split('\n'), [
    line('healthy', 'pushed to uptime-kuma'),
    line('unknown-monitor', 'push to uptime-kuma failed: Uptime Kuma: HTTP 404: Monitor not found or not active.'),
    line('request-too-large', 'push to uptime-kuma failed: Uptime Kuma: HTTP 431'),
    line('server-error', 'push to uptime-kuma failed: Uptime Kuma: HTTP 500'),
    line('login-page', 'push to uptime-kuma failed: Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)'),
    line('black-hole', 'push to uptime-kuma failed: no answer within 1s'),
    line('refused', 'push to uptime-kuma failed: connection refused'),
  ]);
  assert.deepEqual(
    receiver.beats.map((beat) => [beat.token, beat.status]),
    [['healthy', 'up']],
  );
  // Only Kuma's "Monitor not found or not active." is final; every other failure is retried (3 attempts).
  const count = (token: string) => receiver.requests.filter((request) => request.includes(`/api/push/${token}?`)).length;
  assert.deepEqual([count('says-500'), count('never-answers'), count('no-such-monitor'), count('says-431'), count('says-html')], [3, 3, 1, 3, 3]);
});

test('a push that hangs does not hold up the next repository\'s check', async () => {
  const root = await tempDir();
  const config = join(root, 'slow-kuma.yaml');
  const log = join(root, 'restic-starts.log');
  await writeFile(
    config,
    `concurrency: 1
defaults:
  push_url: ${receiver.pushUrl}
  push_timeout: 1s
repositories:
  first: {url: /first, push_token: never-answers}
  second: {url: /second, push_token: healthy}
  third: {url: /third, push_token: healthy}
`,
  );
  const runStart = Date.now();
  const result = await runCli(['run', '--config', config], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh'), FAKE_RESTIC_LOG: log } });
  assert.equal(result.code, 1);
  const starts = (await readFile(log, 'utf8')).trim().split('\n').map((line) => line.split(' '));
  assert.deepEqual(starts.map(([, repo]) => repo), ['/first', '/second', '/third']);
  // The first push's retries (1 s timeout, then backoff) were still going when every check had run.
  const hangAttempts = receiver.requestTimes.filter((at, i) => at >= runStart && receiver.requests[i]!.includes('/never-answers?'));
  assert.equal(hangAttempts.length, 3);
  const secondAttempt = hangAttempts[1]!;
  assert.ok(Number(starts[2]![0]) < secondAttempt, `third check at ${starts[2]![0]}, second push attempt at ${secondAttempt}`);
});

test('Kuma\'s own msg is shown with secrets masked, long ones cut in the middle so the cause at the end stays', async () => {
  const token = 'tok-quoted-in-sql-5f3a9c';
  receiver.tokens.add(token);
  // Kuma's SQL errors quote their bindings, the push token among them.
  const msg =
    `select \`monitor\`.\`id\`, \`monitor\`.\`name\`, \`monitor\`.\`active\`, \`monitor\`.\`type\`, \`monitor\`.\`interval\`, \`monitor\`.\`push_token\` from \`monitor\` ` +
    `where \`push_token\` = '${token}' and \`active\` = 1 limit 1 - SQLITE_BUSY: database is locked`;
  receiver.answers.set(token, [404, JSON.stringify({ ok: false, msg })]);
  const root = await tempDir();
  const config = join(root, 'sql.yaml');
  await writeFile(config, `defaults:\n  url: /unused\n  push_url: ${receiver.pushUrl}\nrepositories:\n  busy-kuma: {push_token: ${token}}\n`);
  // At info: run prints the failure on stdout, and logs it (at info, so once at the default level) too.
  const result = await runCli(['run', '--config', config], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh'), LOG_LEVEL: 'info' } });
  assert.equal(result.code, 1);
  assert.equal(
    result.stdout,
    'UP   busy-kuma: latest snapshot 1h ago (max 1d) [push to uptime-kuma failed: Uptime Kuma: HTTP 404: select `monitor`.`id`, `monitor`.`name`, ` ... rval`, `monitor`.`push_token` from `monitor` where `push_token` = \'***\' and `active` = 1 limit 1 - SQLITE_BUSY: database is locked]\n',
  );
  assert.doesNotMatch(result.stdout + result.stderr, new RegExp(token));
  assert.match(result.stderr, /"msg":"push failed: Uptime Kuma: HTTP 404: select .* - SQLITE_BUSY: database is locked"/);
  assert.equal(receiver.requests.filter((request) => request.includes(`/api/push/${token}?`)).length, 3, 'retried: not "not found"');
});
