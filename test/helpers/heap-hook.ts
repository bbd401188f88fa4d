import { appendFileSync } from 'node:fs';

// Loaded with `node --expose-gc --import` into a daemon under test: on SIGUSR2 (which the
// program leaves alone) it collects all garbage and appends one line of JSON to
// RM_HEAP_FILE: process.memoryUsage() afterwards, i.e. what the process still holds. What a
// leak keeps is in there; what the collector has not got round to yet is not, so growth can
// be judged over far fewer cycles than with RSS, whose heap sizing wanders by megabytes.
const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') throw new Error('heap-hook needs node --expose-gc');
const file = process.env.RM_HEAP_FILE;
if (!file) throw new Error('heap-hook needs RM_HEAP_FILE');
process.on('SIGUSR2', () => {
  // Twice: the first runs finalizers whose objects the second then frees.
  gc();
  gc();
  appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`);
});
