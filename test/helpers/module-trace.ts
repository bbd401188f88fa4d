/**
 * `node --import <this file>`: on stderr, one line per module the program loaded:
 * "module-trace: esm <url>" as each ES module loads, "module-trace: cjs <path>" for every
 * CommonJS file in the require cache at exit. test/cli/start-up-modules.test.ts checks what
 * a command loads with it; bench/startup-profile.ts counts them per package.
 */
import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./module-trace-hooks.js', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  for (const path of Object.keys(cache)) writeSync(2, `module-trace: cjs ${path}\n`);
});
