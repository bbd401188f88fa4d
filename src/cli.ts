#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from './cli/main.js';

// V8 then lets the heap grow to about twice the live data instead of four times before it
// collects: for ~10% more CPU, peak RSS falls by a third (bench/RESULTS.md: a daemon's 151 ->
// 105 MiB, a 10,000-snapshot listing's 115 -> 82 MiB). A monitor should stay small.
setFlagsFromString('--optimize-for-size');

const controller = new AbortController();
// Ctrl-C or a stop from systemd aborts the checks in flight (killing restic and its
// children) instead of leaving them running after we are gone.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort());
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  signal: controller.signal,
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
