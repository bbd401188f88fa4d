#!/usr/bin/env node
// Only small modules are imported here: the signal handlers must be in place before the rest
// of the program (pino, the config parser, the S3 SDK...) takes its 100+ ms to load.
import { setFlagsFromString } from 'node:v8';
import { parseCommandLine } from './cli/args.js';
import { installSignals } from './cli/signals.js';
import { liveTrees } from './process/live-trees.js';

const argv = process.argv.slice(2);
const signals = installSignals(process, {
  hangupReloads: commandOf(argv) === 'daemon',
  trees: liveTrees,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
});
// Whatever way the process ends, no restic (or what restic started) outlives it.
process.on('exit', () => liveTrees.killAll());

// V8 then lets the heap grow to about twice the live data instead of four times before it
// collects: for ~10% more CPU, peak RSS falls by a third (bench/RESULTS.md: a daemon's 151 ->
// 105 MiB, a 10,000-snapshot listing's 115 -> 82 MiB). A monitor should stay small.
setFlagsFromString('--optimize-for-size');

const { main } = await import('./cli/main.js');
main(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  signal: signals.signal,
  hangup: signals.hangups,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a bug gets here; say so plainly, without the stack a user cannot act on.
    process.stderr.write(`restic-monitor: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

function commandOf(args: readonly string[]): string | undefined {
  try {
    return parseCommandLine(args).command;
  } catch {
    return undefined; // main reports the usage error
  }
}
