import { parseArgs } from 'node:util';
import { soak } from '../test/helpers/soak.js';

/**
 * The long daemon soak: `npm run build && node dist/bench/soak.js --seconds 600 --seed 7`.
 * The same harness as test/daemon/daemon-soak.test.ts (random restic and push-target faults from a
 * seeded PRNG), for as long as asked. Exits 1 when any promise was broken.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    seed: { type: 'string', default: '7' },
    repositories: { type: 'string', default: '16' },
  },
});
const report = await soak({
  seconds: Number(values.seconds),
  seed: Number(values.seed),
  repositories: Number(values.repositories),
  slackMs: 5000,
  log: (line) => console.log(line),
});
console.log(JSON.stringify(report, null, 2));
process.exitCode = report.problems.length === 0 ? 0 : 1;
