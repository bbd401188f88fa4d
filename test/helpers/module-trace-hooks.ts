import { writeSync } from 'node:fs';

type Next = (url: string, context: unknown) => Promise<unknown>;

/** Module load hook (runs on the loader thread): names every ES module loaded, changes nothing. */
export async function load(url: string, context: unknown, next: Next): Promise<unknown> {
  writeSync(2, `module-trace: esm ${url}\n`);
  return next(url, context);
}
