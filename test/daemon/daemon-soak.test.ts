import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, parseRuns, type SeenBeat } from '../helpers/soak-judge.js';
import { soak } from '../helpers/soak.js';

// The long soak is `node dist/bench/soak.js --seconds 600` (bench/soak.ts); the suite runs a
// short one: long enough for several dozen faulty cycles per repository kind.
const SECONDS = Number(process.env.SOAK_SECONDS ?? 45);

test('soak: a daemon under random restic and push faults tells the truth, keeps its schedule and memory, stops clean', { timeout: (SECONDS + 120) * 1000 }, async () => {
  const report = await soak({ seconds: SECONDS, seed: 20261122, repositories: 8, slackMs: 5000 });
  console.log(
    `# soak ${report.seconds} s, ${report.repositories} repositories: ${report.cycles} cycles, ${report.beats} beats (${report.matched} held against their check, ${report.redelivered} redelivered), ` +
      `${report.pushRequests} push requests; max gap ${report.maxGapMs} ms (bound ${report.gapBoundMs} ms); ` +
      `RSS ${report.rssMiB.afterWarmUp.toFixed(1)} -> ${report.rssMiB.end.toFixed(1)} MiB (peak ${report.rssMiB.peak.toFixed(1)}); stop ${report.stop.ms} ms`,
  );
  console.log(`# restic faults ${JSON.stringify(report.resticFaults)}; push faults ${JSON.stringify(report.pushFaults)}`);
  assert.deepEqual(report.problems, []);
  // Enough happened to mean something: every kind of fault was met, and beats got through.
  for (const kind of ['fresh', 'stale', 'hang', 'panic', 'junk', 'wrong-password']) assert.ok((report.resticFaults[kind] ?? 0) > 0, `no ${kind} run`);
  for (const kind of ['ok', 'busy', 'fails', 'hangs', 'endless']) assert.ok((report.pushFaults[kind] ?? 0) > 0, `no ${kind} push`);
  assert.ok(report.beats >= report.repositories, `only ${report.beats} beats`);
  assert.equal(report.matched, report.beats);
});

test('the soak\'s judge catches a lying beat, two different beats for one check and a missed cycle; a redelivered push is not a lie', () => {
  const runs = parseRuns('1000 r0 1 fresh\n4000 r0 2 wrong-password\n30000 r0 3 stale\n');
  const beats: SeenBeat[] = [
    { at: 1500, repository: 'r0', status: 'up', msg: 'latest snapshot 1h ago (max 1d)', url: '/api/push/t?status=up&ping=3' },
    { at: 2600, repository: 'r0', status: 'up', msg: 'latest snapshot 1h ago (max 1d)', url: '/api/push/t?status=up&ping=3' },
    { at: 4500, repository: 'r0', status: 'up', msg: 'latest snapshot 1h ago (max 1d)', url: '/api/push/t?status=up&ping=4' },
    { at: 4600, repository: 'r0', status: 'down', msg: 'check failed: wrong password or no key found', url: '/api/push/t?status=down&ping=4' },
    { at: 30500, repository: 'r0', status: 'down', msg: 'stale: latest snapshot 3d ago (max 1d)', url: '/api/push/t?status=down&ping=5' },
  ];
  const verdict = judge(runs, beats, { startAt: 0, stopAt: 31000 }, 20_000);
  assert.equal(verdict.matched, 4);
  assert.equal(verdict.redelivered, 1, 'the same push recorded twice (its first answer came too late)');
  assert.equal(verdict.maxGapMs, 26_000);
  assert.deepEqual(verdict.problems, [
    'r0 run 2 (wrong-password): beat up "latest snapshot 1h ago (max 1d)", expected down /^check failed: wrong password or no key found$/',
    'r0: two different beats for run 2',
    'r0: between runs 2 and 3: 26000 ms without a check (bound 20000 ms)',
  ]);
});
