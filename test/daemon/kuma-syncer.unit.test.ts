import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { KumaError } from '../../src/kuma/api.js';
import type { SyncResult } from '../../src/kuma/run-sync.js';
import { KumaSyncer } from '../../src/daemon/kuma-syncer.js';
import { FakeTimers } from '../helpers/fake-timers.js';

function logged() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger: () => logger };
}

const done: SyncResult = { version: '2.5.3', outcomes: [], desired: 0 };
const flush = () => new Promise((resolve) => setImmediate(resolve));

test('requests while a sync runs make one more sync after it, not one each', async () => {
  const { logger } = logged();
  const timers = new FakeTimers();
  const releases: Array<() => void> = [];
  let runs = 0;
  const syncer = new KumaSyncer({ sync: () => ((runs += 1), new Promise<SyncResult>((resolve) => releases.push(() => resolve(done)))), logger, timers });
  syncer.request();
  syncer.request();
  syncer.request();
  await flush();
  assert.equal(runs, 1);
  releases.shift()!();
  await flush();
  assert.equal(runs, 2);
  releases.shift()!();
  await flush();
  assert.equal(runs, 2);
  await syncer.stop();
});

test('a failed sync is logged and tried again after the retry delay; a request meanwhile runs at once', async () => {
  const { lines, logger } = logged();
  const timers = new FakeTimers();
  let runs = 0;
  const syncer = new KumaSyncer({
    sync: async () => {
      runs += 1;
      throw new KumaError('cannot connect to Uptime Kuma at http://127.0.0.1:9: endpoint unreachable: 127.0.0.1:9 refused the connection');
    },
    logger,
    timers,
    retryMs: 300_000,
  });
  syncer.request();
  await flush();
  assert.equal(runs, 1);
  assert.equal(lines.at(-1)!.msg, 'kuma sync failed, trying again in 5m: cannot connect to Uptime Kuma at http://127.0.0.1:9: endpoint unreachable: 127.0.0.1:9 refused the connection');
  assert.equal(lines.at(-1)!.level, 50);
  await timers.advance(299_999);
  await flush();
  assert.equal(runs, 1);
  await timers.advance(1);
  await flush();
  assert.equal(runs, 2);
  syncer.request();
  await flush();
  assert.equal(runs, 3);
  await syncer.stop();
  await timers.advance(600_000);
  await flush();
  assert.equal(runs, 3, 'no retry after stop');
});

test('stop ends a sync in flight through its signal, and nothing is logged as a failure', async () => {
  const { lines, logger } = logged();
  const timers = new FakeTimers();
  let aborted = false;
  const syncer = new KumaSyncer({
    sync: (signal) =>
      new Promise<SyncResult>((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(new KumaError('the session with Uptime Kuma at http://x was closed'));
        }),
      ),
    logger,
    timers,
  });
  syncer.request();
  await flush();
  await syncer.stop();
  assert.equal(aborted, true);
  assert.deepEqual(lines, []);
});
