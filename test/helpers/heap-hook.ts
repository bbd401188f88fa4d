import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

// Loaded with `node --expose-gc --import` into a daemon under test: on SIGUSR2 (which the
// program leaves alone) it collects all garbage and appends one line of JSON to
// RM_HEAP_FILE: process.memoryUsage() afterwards, i.e. what the process still holds, and the
// size V8 reserves for its young generation. What a leak keeps is in there; what the
// collector has not got round to yet is not, so growth can be judged over far fewer cycles
// than with RSS, whose heap sizing wanders by megabytes.
const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') throw new Error('heap-hook needs node --expose-gc');
const file = process.env.RM_HEAP_FILE;
if (!file) throw new Error('heap-hook needs RM_HEAP_FILE');
process.on('SIGUSR2', () => {
  // Twice: the first runs finalizers whose objects the second then frees.
  gc();
  gc();
  // With the young generation's reserved size: the CLI keeps it at its first size (cli/start.ts).
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  appendFileSync(file, `${JSON.stringify({ ...process.memoryUsage(), newSpace })}\n`);
});
