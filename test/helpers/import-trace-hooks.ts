import { writeSync } from 'node:fs';

type Next = (specifier: string, context: unknown) => Promise<unknown>;

/** Module resolve hook (runs on the loader thread): logs @aws-sdk specifiers, changes nothing. */
export async function resolve(specifier: string, context: unknown, next: Next): Promise<unknown> {
  if (specifier.startsWith('@aws-sdk/')) writeSync(2, `import-trace: ${specifier}\n`);
  return next(specifier, context);
}
