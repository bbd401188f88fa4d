import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { FIXTURES } from '../helpers/paths.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { startPushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';

const REPOSITORIES = 20;
const CHECKS = 3000;
/**
 * The fewest checks that still say something about memory. A loaded 2-core machine runs
 * several times slower (3000 checks took 88 s at a load average of 11, 2020 took 180 s at
 * 15): the run aims at CHECKS within the time bound and passes on fewer, down to this.
 */
const ENOUGH_CHECKS = 1000;
/**
 * Checks before the first measurement: V8 sizes its heap to the allocation rate over the
 * first thousand or so (the scrapes of /metrics and /status add to it), so a baseline taken
 * earlier counts that settling as growth. Seen on a loaded machine: +17 MiB over 3,000
 * checks from a baseline at 500, +12 MiB over 12,000 (no leak: it does not scale).
 */
const WARM_UP_CHECKS = 1500;
const WARM_UP_MS = 120_000;
const MAX_RUN_MS = 180_000;

function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmRSS in /proc');
  return Number(match[1]);
}

async function totalChecks(url: string): Promise<number> {
  const families = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  return families.get('restic_monitor_checks_total')!.samples.reduce((sum, sample) => sum + sample.value, 0);
}

test('thousands of fast cycles (checks, pushes, scrapes) leave the daemon\'s memory flat', async () => {
  const tokens = Array.from({ length: REPOSITORIES }, (_, i) => `tok-mem-${i}-5678`);
  const receiver = await startPushReceiver(tokens);
  const dir = await tempDir('rm-daemon-mem-');
  const config = join(dir, 'config.yaml');
  const repositories = tokens.map((token, i) => `  r${i}:\n    url: /srv/r${i}\n    push_token: ${token}`).join('\n');
  await writeFile(config, `listen: 127.0.0.1:0\nconcurrency: 4\ndefaults:\n  interval: 20ms\n  push_url: ${receiver.pushUrl}\nrepositories:\n${repositories}\n`);
  // A restic that answers at once: the cycle is all daemon (schedule, spawn, push, metrics).
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fast.sh') }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  try {
    await waitFor(`a first ${WARM_UP_CHECKS} checks`, async () => (await totalChecks(daemon.url)) >= WARM_UP_CHECKS, WARM_UP_MS);
    const startRss = rssKiB(daemon.pid);
    const startChecks = await totalChecks(daemon.url);
    const started = Date.now();
    // Bounded by count and by time: a busy machine makes it slower, not flaky.
    while ((await totalChecks(daemon.url)) - startChecks < CHECKS && Date.now() - started < MAX_RUN_MS) {
      await (await fetch(`${daemon.url}/metrics`)).text();
      await (await fetch(`${daemon.url}/status`)).text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      receiver.beats.length = 0; // the receiver's memory is not under test
    }
    const endRss = rssKiB(daemon.pid);
    const checks = (await totalChecks(daemon.url)) - startChecks;
    console.log(`# ${checks} checks in ${Math.round((Date.now() - started) / 1000)} s after warm-up; RSS ${Math.round(startRss / 1024)} MiB at start, ${Math.round(endRss / 1024)} MiB at end`);
    assert.ok(checks >= ENOUGH_CHECKS, `only ${checks} checks in ${MAX_RUN_MS / 1000} s: too few to say anything about memory`);
    // Generous against GC timing: a leak of 6 KiB per check would add 17 MiB here (keeping every result costs ~10 KiB).
    assert.ok(endRss - startRss < 16 * 1024, `RSS grew from ${startRss} KiB to ${endRss} KiB`);
    const health = await fetch(`${daemon.url}/healthz`);
    assert.equal(health.status, 200, await health.text());
  } finally {
    const stopped = await daemon.stop('SIGTERM');
    await receiver.close();
    assert.equal(stopped.code, 0, daemon.stderr().slice(-2000));
  }
});
