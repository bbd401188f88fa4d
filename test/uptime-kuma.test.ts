import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { PushError, type Report } from '../src/notifiers/notifier.js';
import { buildPushUrl, interpret, UptimeKumaNotifier } from '../src/notifiers/uptime-kuma.js';
import { repositoryConfig } from './helpers/config.js';
import { startPushReceiver, type PushReceiver } from './helpers/push-receiver.js';

const report: Report = { status: 'down', message: 'stale: latest snapshot 2d4h ago (max 1d)', durationMs: 412.6 };

describe('building the push URL (pure)', () => {
  test('push_url joined with the token, status, msg and ping as Kuma reads them', () => {
    const url = buildPushUrl('https://kuma.example.com/api/push/', 'yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6', report);
    assert.equal(url.href, 'https://kuma.example.com/api/push/yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6?status=down&msg=stale%3A+latest+snapshot+2d4h+ago+%28max+1d%29&ping=413');
  });

  test('a push_url without its trailing slash still joins with one', () => {
    assert.equal(buildPushUrl('http://k:3001/api/push', 'tok', { ...report, status: 'up' }).pathname, '/api/push/tok');
  });

  test('ping is at least 1 ms (Kuma stores 0 as no value) and msg stays short', () => {
    const url = buildPushUrl('http://k/api/push/', 't', { status: 'up', message: 'x'.repeat(1000), durationMs: 0.2 });
    assert.equal(url.searchParams.get('ping'), '1');
    assert.equal(url.searchParams.get('msg')!.length, 250);
    assert.ok(url.searchParams.get('msg')!.endsWith('...'));
  });

  test('Kuma\'s answers: only 200 ok:true is success; 404 is final; 5xx is retried', () => {
    assert.deepEqual(interpret(200, '{"ok":true}'), { retry: false });
    assert.deepEqual(interpret(404, '{"ok":false,"msg":"Monitor not found or not active."}'), {
      retry: false,
      error: new PushError('Uptime Kuma: monitor not found or not active (HTTP 404)'),
    });
    assert.equal(interpret(200, '<html>proxy login</html>').error?.reason, 'Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)');
    assert.deepEqual(interpret(502, 'Bad Gateway'), { retry: true, error: new PushError('Uptime Kuma: HTTP 502') });
    assert.deepEqual(interpret(431, ''), { retry: false, error: new PushError('Uptime Kuma: HTTP 431') });
  });
});

describe('pushing to a real HTTP receiver', () => {
  let receiver: PushReceiver;
  const notifier = new UptimeKumaNotifier({ retry: { firstDelayMs: 20 } });
  const push = (token: string, timeoutMs = 10_000, url?: string) =>
    notifier.notify(repositoryConfig({ url: '/x', pushUrl: url ?? receiver.pushUrl, pushToken: token, pushTimeoutMs: timeoutMs }), report, new AbortController().signal);
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
    assert.deepEqual({ ...beat, rawUrl: undefined }, { token: 'good-token', status: 'down', msg: report.message, ping: 413, method: 'GET', rawUrl: undefined });
  });

  test('an unknown token is a failed push, sent once', async () => {
    const before = receiver.requests.length;
    assert.equal(await pushFailure(push('unknown-token')), 'Uptime Kuma: monitor not found or not active (HTTP 404)');
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

  test('a refused connection is reported as such', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    assert.equal(await pushFailure(push('good-token', 2000, `http://127.0.0.1:${port}/api/push/`)), 'connection refused');
  });
});
