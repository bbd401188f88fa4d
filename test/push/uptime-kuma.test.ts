import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { PushError, type Report } from '../../src/push/target.js';
import { buildPushUrl, interpret, pingOf, UptimeKumaTarget } from '../../src/push/uptime-kuma.js';
import { checkConfig } from '../helpers/config.js';
import { KUMA, startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';

const report: Report = { status: 'down', message: 'stale: latest snapshot 2d4h ago (max 1d)', durationMs: 412.6 };

describe('building the push URL (pure)', () => {
  test('push_url joined with the token, status, msg and ping as Kuma reads them', () => {
    const url = buildPushUrl('https://kuma.example.com/api/push/', 'yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6', report);
    assert.equal(url.href, 'https://kuma.example.com/api/push/yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6?status=down&msg=stale%3A+latest+snapshot+2d4h+ago+%28max+1d%29&ping=413');
  });

  test('a push_url without its trailing slash still joins with one', () => {
    assert.equal(buildPushUrl('http://k:3001/api/push', 'tok', { ...report, status: 'up' }).pathname, '/api/push/tok');
  });

  test('ping is at least 1 ms (Kuma stores 0 as no value), at most 1e11 (Kuma refuses more), and msg stays short', () => {
    const url = buildPushUrl('http://k/api/push/', 't', { status: 'up', message: 'x'.repeat(1000), durationMs: 0.2 });
    assert.equal(url.searchParams.get('ping'), '1');
    assert.equal(url.searchParams.get('msg')!.length, 250);
    assert.ok(url.searchParams.get('msg')!.endsWith('...'));
    assert.deepEqual([-5, 0, 0.4, 412.6, 1e11, 1e11 + 1, 1e300, Infinity, NaN].map(pingOf), [1, 1, 1, 413, 1e11, 1e11, 1e11, 1, 1]);
  });

  test('Kuma\'s answers are read by msg: only "Monitor not found or not active." is final, whatever the code', () => {
    assert.deepEqual(interpret(200, KUMA.ok), { retry: false });
    for (const code of [404, 200, 400, 500]) {
      assert.deepEqual(interpret(code, KUMA.notFound), { retry: false, error: new PushError(`Uptime Kuma: HTTP ${code}: Monitor not found or not active.`) }, `HTTP ${code}`);
    }
    // 2.5.3 answers a busy database with 404 ok:false; other versions may use other codes.
    for (const code of [404, 200, 500, 503, 409]) {
      assert.deepEqual(interpret(code, KUMA.busy), { retry: true, error: new PushError(`Uptime Kuma: HTTP ${code}: update \`stat_daily\` set ... - SQLITE_BUSY: database is locked`) }, `HTTP ${code}`);
    }
    assert.deepEqual(interpret(404, KUMA.invalidPing), { retry: true, error: new PushError('Uptime Kuma: HTTP 404: Invalid ping value.') });
    // Not quite the exact text: not the final answer.
    assert.equal(interpret(404, '{"ok":false,"msg":"Monitor not found"}').retry, true);
    assert.deepEqual(interpret(200, '<html>proxy login</html>'), { retry: true, error: new PushError('Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)') });
    assert.deepEqual(interpret(502, 'Bad Gateway'), { retry: true, error: new PushError('Uptime Kuma: HTTP 502') });
    assert.deepEqual(interpret(431, ''), { retry: true, error: new PushError('Uptime Kuma: HTTP 431') });
  });
});

describe('pushing to a real HTTP receiver', () => {
  let receiver: PushReceiver;
  const target = new UptimeKumaTarget({ retry: { firstDelayMs: 20 } });
  const push = (token: string, timeoutMs = 10_000, url?: string) =>
    target.push(checkConfig({ url: '/x', pushUrl: url ?? receiver.pushUrl, pushToken: token, pushTimeoutMs: timeoutMs }), report, new AbortController().signal);
  const pushFailure = async (promise: Promise<void>) => {
    await assert.rejects(promise, PushError);
    return promise.catch((error: PushError) => error.reason);
  };

  before(async () => {
    receiver = await startPushReceiver(['good-token', 'flaky-token']);
  });
  after(() => receiver.close());

  test('a beat arrives with status, message and ping', async () => {
    await push('good-token');
    const beat = receiver.beats.find((b) => b.token === 'good-token');
    assert.deepEqual({ ...beat, rawUrl: undefined, at: undefined }, { token: 'good-token', status: 'down', msg: report.message, ping: 413, method: 'GET', rawUrl: undefined, at: undefined });
  });

  test('an unknown token is a failed push, sent once', async () => {
    const before = receiver.requests.length;
    assert.equal(await pushFailure(push('unknown-token')), 'Uptime Kuma: HTTP 404: Monitor not found or not active.');
    assert.equal(receiver.requests.length - before, 1);
  });

  test('a 500 is retried, then reported with its status', async () => {
    receiver.answers.set('flaky-token', [500, 'Internal Server Error']);
    const before = receiver.requests.length;
    assert.equal(await pushFailure(push('flaky-token')), 'Uptime Kuma: HTTP 500');
    assert.equal(receiver.requests.length - before, 3);
    receiver.answers.delete('flaky-token');
  });

  test('a receiver that never answers times out', async () => {
    receiver.answers.set('slow-token', 'hang');
    assert.equal(await pushFailure(push('slow-token', 300)), 'no answer within 300ms');
  });

  test('Kuma\'s busy answer is retried under any status code, and a busy-then-ok sequence lands on the retry', async () => {
    for (const code of [404, 500, 503, 200, 409]) {
      const token = `busy-${code}`;
      receiver.tokens.add(token);
      receiver.sequences.set(token, [[code, KUMA.busy]]);
      await push(token);
      assert.equal(receiver.requests.filter((request) => request.includes(`/api/push/${token}?`)).length, 2, `HTTP ${code}: busy, then the beat`);
      assert.deepEqual(receiver.beats.filter((beat) => beat.token === token).map((beat) => beat.status), ['down'], `HTTP ${code}`);
    }
  });

  test('busy on every attempt: a failed push showing Kuma\'s msg, after 3 attempts', async () => {
    receiver.tokens.add('always-busy');
    receiver.answers.set('always-busy', [404, KUMA.busy]);
    assert.equal(await pushFailure(push('always-busy')), 'Uptime Kuma: HTTP 404: update `stat_daily` set ... - SQLITE_BUSY: database is locked');
    assert.equal(receiver.requests.filter((request) => request.includes('/api/push/always-busy?')).length, 3);
  });

  test('"not found" is final under any status code: sent once', async () => {
    for (const code of [404, 410, 200]) {
      const token = `gone-${code}`;
      receiver.answers.set(token, [code, KUMA.notFound]);
      assert.equal(await pushFailure(push(token)), `Uptime Kuma: HTTP ${code}: Monitor not found or not active.`);
      assert.equal(receiver.requests.filter((request) => request.includes(`/api/push/${token}?`)).length, 1, `HTTP ${code}`);
    }
  });

  test('a body without end: at most a few KiB are read, the push ends, memory stays bounded', async () => {
    receiver.answers.set('endless-token', 'endless');
    const rssBefore = process.memoryUsage().rss;
    const sentBefore = receiver.endlessBytes;
    // A push_timeout far longer than the test: only the read cap can end these attempts.
    const reason = await pushFailure(push('endless-token', 600_000));
    assert.equal(reason, 'Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)');
    assert.equal(receiver.requests.filter((request) => request.includes('/api/push/endless-token?')).length, 3);
    const sent = receiver.endlessBytes - sentBefore;
    // What sat in socket buffers when the client hung up: a few MiB at most, for 3 attempts.
    assert.ok(sent < 64 * 1024 * 1024, `the receiver got to send ${sent} bytes`);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'RSS grew by less than 64 MiB');
  });

  test('a refused connection is reported as such', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    assert.equal(await pushFailure(push('good-token', 2000, `http://127.0.0.1:${port}/api/push/`)), 'connection refused');
  });
});
