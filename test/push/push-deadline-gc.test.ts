import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';

const hook = (name: string) => pathToFileURL(join(import.meta.dirname, '..', 'helpers', name)).href;

let receiver: PushReceiver;
before(async () => {
  receiver = await startPushReceiver();
  receiver.answers.set('never-answers', 'hang');
  receiver.answers.set('endless-body', 'endless');
});
after(() => receiver.close());

/** `run` as a real process under `node --expose-gc`, with a collection forced every 10 ms. */
async function runUnderGc(name: string, repositories: string) {
  const dir = await tempDir();
  const config = join(dir, `${name}.yaml`);
  const gcCount = join(dir, 'gc-count');
  const maxRss = join(dir, 'max-rss');
  await writeFile(config, `defaults:\n  url: /unused\n  push_url: ${receiver.pushUrl}\n  push_timeout: 1s\nrepositories:\n${repositories}`);
  const started = Date.now();
  const result = await runCli(['run', '--config', config], {
    env: {
      RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh'),
      NODE_OPTIONS: `--expose-gc --import ${hook('gc-hook.js')} --import ${hook('max-rss-hook.js')}`,
      RM_GC_COUNT_FILE: gcCount,
      RM_MAX_RSS_FILE: maxRss,
    },
    // Bounded: a collected timeout would leave the request to the target, which never answers.
    timeoutMs: 120_000,
  });
  return {
    ...result,
    ms: Date.now() - started,
    collections: Number(await readFile(gcCount, 'utf8')),
    maxRssMiB: Number(await readFile(maxRss, 'utf8')) / 1024,
  };
}

test('a target that accepts and never answers: every attempt ends at push_timeout, however often the GC runs', async () => {
  const before = receiver.requests.length;
  const result = await runUnderGc('silent', `  silent-kuma:\n    push_token: never-answers\n    ping_url: ${receiver.pushUrl}never-answers\n`);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stdout.trim(),
    'UP   silent-kuma: latest snapshot 1h ago (max 1d) [push to uptime-kuma failed: no answer within 1s; push to healthchecks failed: no answer within 1s]',
  );
  // 3 attempts per target, each cut off at 1 s. An attempt can end before its request has
  // reached the receiver (a collection every 10 ms on a loaded machine can take most of the
  // second): so at least one, at most three of each arrived, in order.
  const methods = receiver.requests.slice(before).map((request) => request.split(' ')[0]);
  assert.match(methods.join(' '), /^GET( GET){0,2} POST( POST){0,2}$/);
  assert.ok(result.collections >= 100, `only ${result.collections} forced collections during the run`);
  // docs/reliability.md's bound for this config: check + 2 targets x (3 x 1 s + 1 s + 2 s) = 12 s and
  // the check. Generous for a loaded machine; a collected timer would wait as long as the target.
  console.log(`# silent target, push_timeout 1s, two targets: the run took ${result.ms} ms with ${result.collections} forced collections`);
  assert.ok(result.ms < 60_000, `the run took ${result.ms} ms`);
});

test('a target streaming a body without end: the run ends, its memory stays bounded', async () => {
  const sentBefore = receiver.endlessBytes;
  const result = await runUnderGc('endless', '  endless:\n    push_token: endless-body\n');
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout.trim(), 'UP   endless: latest snapshot 1h ago (max 1d) [push to uptime-kuma failed: Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)]');
  const sent = receiver.endlessBytes - sentBefore;
  console.log(`# endless body: the receiver got to send ${(sent / 1024 / 1024).toFixed(1)} MiB in 3 attempts; peak RSS ${result.maxRssMiB.toFixed(0)} MiB`);
  assert.ok(sent < 64 * 1024 * 1024, `the receiver got to send ${sent} bytes`);
  assert.ok(result.maxRssMiB < 200, `peak RSS ${result.maxRssMiB} MiB`);
});
