// A copy waits for its primary's look: with one check at a time and thirty copies written
// before their primaries, the run still ends (primaries start first), in config order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Checker } from '../../src/checkers/checker.js';
import { parseConfig } from '../../src/config/parse.js';
import { Redactor } from '../../src/redact.js';
import { runOnce } from '../../src/run/run-once.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;

test('concurrency 1, copies first in the config, chains of copies: every copy judged by its primary of this run', async () => {
  const copies = Array.from({ length: 30 }, (_, i) => `  copy${i}: {mirror_of: ${i % 2 === 0 ? 'nas' : 'chain'}, max_lag: 2h}`);
  const config = parseConfig(`concurrency: 1\ndefaults:\n  url: /srv/{{ .Name }}\nrepositories:\n${copies.join('\n')}\n  chain: {mirror_of: nas, max_lag: 2h}\n  nas: {}\n`, {});
  const started: string[] = [];
  const checker: Checker = {
    mode: 'restic',
    kind: 'restic',
    supports: () => true,
    async check(check) {
      started.push(check.name);
      await new Promise((resolve) => setTimeout(resolve, check.name === 'nas' ? 100 : 1));
      // nas: 1h ago; chain: 4h ago (3h behind nas); every copy: 5h ago.
      const hours = check.name === 'nas' ? 1 : check.name === 'chain' ? 4 : 5;
      return { latest: new Date(NOW.getTime() - hours * HOUR) };
    },
  };
  const results = await runOnce(
    config,
    { checkers: [checker], pushTargets: [], now: () => NOW, env: {}, logger: pino({ level: 'silent' }), redactor: new Redactor([]) },
    { push: false, signal: new AbortController().signal },
  );
  // Each primary before its first copy: nas, copy0, chain, copy1, ...
  assert.deepEqual(started.slice(0, 4), ['nas', 'copy0', 'chain', 'copy1']);
  assert.deepEqual(results.map((result) => result.name), config.checks.map((check) => check.name));
  const byName = new Map(results.map((result) => [result.name, result]));
  assert.equal(byName.get('chain')!.message, 'copy lags nas by 3h (max_lag 2h); latest snapshot 4h ago');
  assert.equal(byName.get('copy0')!.message, 'copy lags nas by 4h (max_lag 2h); latest snapshot 5h ago');
  assert.equal(byName.get('copy1')!.message, 'latest snapshot 5h ago (max 1d)');
  assert.equal(byName.get('copy1')!.mirrorLagMs, HOUR);
});
