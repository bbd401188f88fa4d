import { existsSync, writeSync } from 'node:fs';

type Next = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

const HOLD_LIMIT_MS = 30_000;
let held = false;

/**
 * Module resolve hook (runs on the loader thread, so the program's own thread runs on). Holds
 * the first module the entry point (src/cli.js) imports, whichever it is: from there on the
 * program must already handle signals.
 */
export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<unknown> {
  const release = process.env.HOLD_START_RELEASE;
  if (release && !held && context.parentURL?.endsWith('/src/cli.js')) {
    held = true;
    writeSync(2, `hold-start: holding ${specifier}\n`);
    const deadline = Date.now() + HOLD_LIMIT_MS;
    while (!existsSync(release) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
  }
  return next(specifier, context);
}
