import { writeFileSync } from 'node:fs';

// Loaded with `node --expose-gc --import` into a CLI under test: forces a full garbage
// collection every few milliseconds, so that a timeout whose signal can be collected (Node 20's
// AbortSignal.timeout inside AbortSignal.any) is collected while the CLI waits. On exit it
// writes how many collections ran to RM_GC_COUNT_FILE, so a test can tell they happened.
const gc = (globalThis as { gc?: () => void }).gc;
if (typeof gc !== 'function') throw new Error('gc-hook needs node --expose-gc');
let collections = 0;
setInterval(() => {
  gc();
  collections++;
}, 10).unref();
const file = process.env.RM_GC_COUNT_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(collections)));
