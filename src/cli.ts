#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { main } from './cli/main.js';

// A daemon lives for months: V8 then lets its heap grow to twice the live data instead of
// four times, for a little more GC work (bench/RESULTS.md, case 5: peak RSS 151 -> 109 MiB).
if (process.argv.slice(2).includes('daemon')) setFlagsFromString('--optimize-for-size');

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
